/**
 * Probes: observations made inside containers (exec) and from the host (TCP), each with a
 * deadline. They report what they saw; the steps decide what it means.
 */
import { createConnection } from 'node:net'
import { PassThrough } from 'node:stream'
import type Docker from 'dockerode'
import { within } from '../poll'
import type { Transcript } from '../records'

export interface ExecResult {
  container: string
  command: string
  stdout: string
  stderr: string
  exitCode: number | null
  durationMs: number
}

const EXEC_DEADLINE_MS = 20_000

/** Runs `sh -c command` inside a running container and collects its output and exit code. */
export async function execIn(
  docker: Docker,
  container: string,
  command: string,
  timeoutMs = EXEC_DEADLINE_MS,
): Promise<ExecResult> {
  const started = Date.now()
  const run = async (): Promise<ExecResult> => {
    const exec = await docker
      .getContainer(container)
      .exec({ Cmd: ['sh', '-c', command], AttachStdout: true, AttachStderr: true })
    const stream = await exec.start({ hijack: true, stdin: false })
    const out: Buffer[] = []
    const err: Buffer[] = []
    const stdout = new PassThrough().on('data', (b: Buffer) => out.push(b))
    const stderr = new PassThrough().on('data', (b: Buffer) => err.push(b))
    docker.modem.demuxStream(stream, stdout, stderr)
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve)
      stream.on('close', resolve)
      stream.on('error', reject)
    })
    const { ExitCode } = await exec.inspect()
    return {
      container,
      command,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      exitCode: ExitCode,
      durationMs: Date.now() - started,
    }
  }
  return within(run(), timeoutMs, `exec of "${command}" in ${container}`)
}

export interface TcpResult {
  address: string
  port: number
  sent: string
  received: string
  error?: string
  durationMs: number
}

/** Connects from this host, sends `send`, and reads until the peer closes or the deadline. */
export function tcpExchange(address: string, port: number, send: string, timeoutMs = 5_000): Promise<TcpResult> {
  const started = Date.now()
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let settled = false
    const done = (error?: string) => {
      if (settled) return
      settled = true
      socket.destroy()
      resolve({
        address,
        port,
        sent: send,
        received: Buffer.concat(chunks).toString('utf8'),
        error,
        durationMs: Date.now() - started,
      })
    }
    const socket = createConnection({ host: address, port, timeout: timeoutMs })
    socket.on('connect', () => socket.write(send))
    socket.on('data', (b: Buffer) => chunks.push(b))
    socket.on('end', () => done())
    socket.on('timeout', () => done(`no close within ${timeoutMs} ms`))
    socket.on('error', (e) => done(e.message))
  })
}

/** The container's address on each network it is attached to, as the endpoint reports it. */
export async function addressesOf(docker: Docker, container: string): Promise<Record<string, string>> {
  const info = await docker.getContainer(container).inspect()
  const out: Record<string, string> = {}
  for (const [net, ep] of Object.entries(info.NetworkSettings.Networks ?? {})) out[net] = ep.IPAddress
  return out
}

/** A shell's transcript text: "[WHERE] $ COMMAND", its output, and its exit status and time. */
export function shellText(
  where: string,
  r: { command: string; stdout: string; stderr: string; exitCode?: number | null; durationMs: number },
): string {
  return [
    `[${where}] $ ${r.command}`,
    r.stdout.trimEnd(),
    r.stderr.trimEnd(),
    `exit ${r.exitCode} (${r.durationMs} ms)`,
  ]
    .filter((l) => l !== '')
    .join('\n')
}

/** The transcript of a command run in a container (text, and its record). */
export function describeExec(r: ExecResult): Transcript {
  const text = shellText(`in ${r.container}`, r)
  return {
    text,
    record: {
      kind: 'exec',
      container: r.container,
      command: r.command,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      stdout: r.stdout,
      stderr: r.stderr,
    },
  }
}

/** The transcript of a TCP exchange from this host (text, and its record). */
export function describeTcp(r: TcpResult): Transcript {
  const text = [
    `[from this host] connect ${r.address}:${r.port}, send ${JSON.stringify(r.sent)}`,
    `received ${JSON.stringify(r.received)}`,
    r.error ? `error: ${r.error}` : '',
    `(${r.durationMs} ms)`,
  ]
    .filter((l) => l !== '')
    .join('\n')
  return {
    text,
    record: {
      kind: 'probe',
      from: 'this host',
      target: `${r.address}:${r.port}`,
      sent: r.sent,
      received: r.received,
      ...(r.error ? { error: r.error } : {}),
      durationMs: r.durationMs,
    },
  }
}
