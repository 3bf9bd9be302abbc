/**
 * The floor: the engine operations a conformance run issued, read from its transcripts
 * (messages.ndjson), replayed back to back through dockerode with no assertions. Per
 * scenario, in order: each documented docker command as run (network create, container
 * create and start, network connect, ps, network ls/inspect), each probe run inside a
 * container (an exec, as many times as the step's poll says it tried), and the cleanup by
 * label (list, then remove each container and network). Probes from the outside client or
 * from this host are no engine operations and are left out, and so are the suite's own
 * waits between poll attempts.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import type Docker from 'dockerode'
import { parseOptions, RUN_VALUE_OPTIONS, VALUE_OPTIONS } from '../support/document/doc-commands'
import { type NetconformRecord, recordOf } from '../support/records'

export type Op =
  | { kind: 'network-create'; name: string; driver?: string; internal: boolean; subnet?: string }
  | {
      kind: 'container-create'
      start: boolean
      name: string
      image: string
      cmd: string[]
      network?: string
      ports: string[]
      ip?: string
      dns?: string[]
      printedId?: string
    }
  | { kind: 'network-connect'; network: string; container: string; ip?: string }
  | { kind: 'container-start'; container: string }
  | { kind: 'container-list' }
  | { kind: 'network-list' }
  | { kind: 'network-inspect'; network: string }
  /** `address` when the step probes another container's address: re-read at replay, as the step does (inspect). */
  | {
      kind: 'exec'
      container: string
      command: string
      address?: { original: string; container: string; network: string }
    }
  | { kind: 'cleanup' }

export interface ScenarioOps {
  id: string
  ops: Op[]
}

export interface Floor {
  runId: string
  scenarios: ScenarioOps[]
}

interface Envelope {
  [k: string]: any
}

const value = (opts: [string, string | undefined][], ...names: string[]) => opts.find(([o]) => names.includes(o))?.[1]
const values = (opts: [string, string | undefined][], ...names: string[]) =>
  opts.filter(([o]) => names.includes(o)).map(([, v]) => v!)

/** The engine operation(s) of one documented command, from its argv as run (without `docker`) and its output. */
export function opsOfCommand(argv: string[], output: string[]): Op[] {
  const [sub, ...rest] = argv
  if (sub === 'run' || sub === 'create') {
    const { options: opts, operands } = parseOptions(rest, RUN_VALUE_OPTIONS)
    const [image, ...cmd] = operands
    const printedId = output.find((l) => /^[0-9a-f]{64}$/.test(l.trim()))?.trim()
    return [
      {
        kind: 'container-create',
        start: sub === 'run',
        name: value(opts, '--name')!,
        image,
        cmd,
        network: value(opts, '--net', '--network'),
        ports: values(opts, '-p', '--publish'),
        ip: value(opts, '--ip'),
        dns: values(opts, '--dns'),
        printedId,
      },
    ]
  }
  if (sub === 'network' && rest[0] === 'create') {
    const { options: opts, operands } = parseOptions(rest.slice(1), VALUE_OPTIONS)
    return [
      {
        kind: 'network-create',
        name: operands[0],
        driver: value(opts, '-d', '--driver'),
        internal: opts.some(([o]) => o === '--internal'),
        subnet: value(opts, '--subnet'),
      },
    ]
  }
  if (sub === 'network' && rest[0] === 'connect') {
    const { options: opts, operands } = parseOptions(rest.slice(1), VALUE_OPTIONS)
    return [{ kind: 'network-connect', network: operands[0], container: operands[1], ip: value(opts, '--ip') }]
  }
  if (sub === 'network' && rest[0] === 'ls') return [{ kind: 'network-list' }]
  if (sub === 'network' && rest[0] === 'inspect') return [{ kind: 'network-inspect', network: rest[1] }]
  if (sub === 'ps') return [{ kind: 'container-list' }]
  if (sub === 'start')
    return rest.filter((w) => !w.startsWith('-')).map((c) => ({ kind: 'container-start', container: c }))
  throw new Error(`the floor does not know the engine operation of \`docker ${argv.join(' ')}\``)
}

/**
 * "in FROM, TO's address on NETWORK …": the address in the command is TO's in the measured run;
 * the replay reads TO's own address as the step does. Real names are the scenario's prefix and
 * the documented name, so TO's real name is FROM's with its documented name swapped.
 */
function addressProbed(
  stepText: string,
  fromReal: string,
  command: string,
): { original: string; container: string; network: string } | undefined {
  const m = /^in (\S+), (\S+)'s address on (\S+) /.exec(stepText)
  const ip = /\b(\d+\.\d+\.\d+\.\d+)\b/.exec(command)
  if (!m || !ip || !fromReal.endsWith(`-${m[1]}`)) return undefined
  const prefix = fromReal.slice(0, -m[1].length)
  return { original: ip[1], container: `${prefix}${m[2]}`, network: m[3] === 'bridge' ? 'bridge' : `${prefix}${m[3]}` }
}

/** The floor of a run: its scenarios' engine operations, in the order they were issued. */
export function floorOf(messagesNdjson: string): Floor {
  const envelopes: Envelope[] = messagesNdjson
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  const pickleIds = new Map<string, string>()
  const stepTexts = new Map<string, string>()
  const textOfTestStep = new Map<string, string>()
  const caseOfStarted = new Map<string, string>()
  const pickleOfCase = new Map<string, string>()
  const byCase = new Map<string, { id: string; steps: Map<string, { records: NetconformRecord[] }> }>()
  const order: string[] = []
  let runId = ''
  for (const e of envelopes) {
    if (e.pickle)
      pickleIds.set(
        e.pickle.id,
        (e.pickle.tags as { name: string }[]).find((t) => t.name.startsWith('@id:'))?.name.slice(4) ?? e.pickle.name,
      )
    if (e.pickle) for (const st of e.pickle.steps) stepTexts.set(st.id, st.text)
    if (e.testCase) {
      pickleOfCase.set(e.testCase.id, e.testCase.pickleId)
      for (const ts of e.testCase.testSteps)
        if (ts.pickleStepId) textOfTestStep.set(ts.id, stepTexts.get(ts.pickleStepId)!)
    }
    if (e.testCaseStarted) {
      caseOfStarted.set(e.testCaseStarted.id, e.testCaseStarted.testCaseId)
      byCase.set(e.testCaseStarted.id, {
        id: pickleIds.get(pickleOfCase.get(e.testCaseStarted.testCaseId)!)!,
        steps: new Map(),
      })
      order.push(e.testCaseStarted.id)
    }
    const step = (startedId: string, stepId: string) => {
      const c = byCase.get(startedId)!
      if (!c.steps.has(stepId)) c.steps.set(stepId, { records: [] })
      return c.steps.get(stepId)!
    }
    if (e.attachment?.testCaseStartedId) {
      const record = recordOf(e.attachment)
      if (record) step(e.attachment.testCaseStartedId, e.attachment.testStepId).records.push(record)
      if (record?.kind === 'command' && !runId)
        runId =
          /^io\.netconform\.run=(\S+)$/.exec(record.argv.find((w) => w.startsWith('io.netconform.run=')) ?? '')?.[1] ??
          ''
    }
  }
  const scenarios: ScenarioOps[] = []
  for (const started of order) {
    const c = byCase.get(started)!
    const ops: Op[] = []
    for (const [stepId, s] of c.steps) {
      const execs: Op[] = []
      const text = textOfTestStep.get(stepId) ?? ''
      // The transcripts' records, never their wording: commands as run, execs, a poll's attempts, cleanup.
      let attempts = 1
      for (const r of s.records) {
        if (r.kind === 'command') ops.push(...opsOfCommand(r.argv, r.stdout.split('\n')))
        if (r.kind === 'exec')
          execs.push({
            kind: 'exec',
            container: r.container,
            command: r.command,
            address: addressProbed(text, r.container, r.command),
          })
        if (r.kind === 'poll' && !r.ok) attempts = r.attempts
        if (r.kind === 'cleanup') ops.push({ kind: 'cleanup' })
      }
      // A poll attaches its last attempt: a poll that gave up says how many attempts it made.
      execs.forEach((x, i) => {
        for (let n = i === execs.length - 1 ? attempts : 1; n > 0; n--) ops.push(x)
      })
    }
    scenarios.push({ id: c.id, ops })
  }
  return { runId, scenarios }
}

export interface Replay {
  seconds: number
  operations: number
  errors: string[]
  counts: Record<string, number>
  /** Seconds spent in each kind of operation. */
  secondsByKind: Record<string, number>
}

/** Replays a floor on an endpoint, back to back, under its own names and labels. */
export async function replay(
  docker: Docker,
  floor: Floor,
  probeImage: string,
  label = 'io.netconform.bench',
): Promise<Replay & { tag: string }> {
  const tag = `ncb${randomBytes(3).toString('hex')}`
  const short = floor.runId.slice(-6)
  const rename = (text: string) => text.replaceAll(`nc-${short}-`, `${tag}-`)
  const ids = new Map<string, string>()
  const ref = (name: string) => ids.get(name) ?? rename(name)
  const errors: string[] = []
  const counts: Record<string, number> = {}
  const secondsByKind: Record<string, number> = {}
  let operations = 0
  const started = process.hrtime.bigint()
  const attempt = async (what: string, call: () => Promise<unknown>) => {
    operations++
    counts[what] = (counts[what] ?? 0) + 1
    const t = process.hrtime.bigint()
    try {
      await call()
    } catch (e) {
      errors.push(`${what}: ${String((e as Error).message ?? e).split('\n')[0]}`)
    }
    secondsByKind[what] = (secondsByKind[what] ?? 0) + Number(process.hrtime.bigint() - t) / 1e9
  }
  // What a run does before and after its scenarios: ping, version, the probe image, the sweeps.
  const runLabels = { label: [`${label}=${tag}`] }
  await attempt('ping', () => docker.ping())
  await attempt('version', () => docker.version())
  await attempt('image-inspect', () => docker.getImage(probeImage).inspect())
  await attempt('container-list', () => docker.listContainers({ all: true, filters: JSON.stringify(runLabels) }))
  await attempt('network-list', () => docker.listNetworks({ filters: JSON.stringify(runLabels) }))
  for (const s of floor.scenarios) {
    const labels = { [label]: tag, [`${label}.scenario`]: s.id }
    const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) })
    for (const op of s.ops) {
      switch (op.kind) {
        case 'network-create':
          await attempt(op.kind, () =>
            docker.createNetwork({
              Name: rename(op.name),
              Driver: op.driver ?? 'bridge',
              Internal: op.internal,
              Labels: labels,
              CheckDuplicate: true,
              ...(op.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: op.subnet }] } } : {}),
            }),
          )
          break
        case 'container-create': {
          const network = op.network ? ref(op.network) : 'default'
          const exposed: Record<string, object> = {}
          const bindings: Record<string, { HostPort: string }[]> = {}
          for (const p of op.ports) {
            const [host, container] = p.includes(':') ? p.split(':') : ['', p]
            exposed[`${container}/tcp`] = {}
            ;(bindings[`${container}/tcp`] ??= []).push({ HostPort: host })
          }
          const create = async () => {
            const c = await docker.createContainer({
              name: rename(op.name),
              Image: probeImage,
              Cmd: op.cmd,
              Labels: labels,
              ExposedPorts: exposed,
              HostConfig: {
                NetworkMode: network,
                PortBindings: bindings,
                Dns: op.dns && op.dns.length > 0 ? op.dns : undefined,
              },
              NetworkingConfig: op.ip
                ? { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: op.ip } } } }
                : undefined,
            })
            if (op.printedId) ids.set(op.printedId, c.id)
            return c
          }
          let made: Docker.Container | undefined
          await attempt(op.kind, async () => {
            made = await create()
          })
          if (op.start && made) await attempt('container-start', () => made!.start())
          break
        }
        case 'network-connect':
          await attempt(op.kind, () =>
            docker.getNetwork(ref(op.network)).connect({
              Container: ref(op.container),
              ...(op.ip ? { EndpointConfig: { IPAMConfig: { IPv4Address: op.ip } } } : {}),
            }),
          )
          break
        case 'container-start':
          await attempt(op.kind, () => docker.getContainer(ref(op.container)).start())
          break
        case 'container-list':
          await attempt(op.kind, () => docker.listContainers({ filters: JSON.stringify(runLabels) }))
          break
        case 'network-list':
          await attempt(op.kind, () => docker.listNetworks())
          break
        case 'network-inspect':
          await attempt(op.kind, () => docker.getNetwork(ref(op.network)).inspect())
          break
        case 'exec': {
          let command = rename(op.command)
          if (op.address) {
            const { original, container, network } = op.address
            await attempt('container-inspect', async () => {
              const nets = (await docker.getContainer(ref(container)).inspect()).NetworkSettings.Networks ?? {}
              // The documented network is the scenario's own, the default
              // bridge, or the target's (the one not of the scenario).
              const own =
                nets[rename(network)] ??
                nets[network] ??
                Object.entries(nets).find(([n]) => !n.startsWith(`${tag}-`))?.[1]
              if (own?.IPAddress)
                command = command.replace(new RegExp(`\\b${original.replace(/\./g, '\\.')}\\b`, 'g'), own.IPAddress)
            })
          }
          await attempt(op.kind, () => execOnce(docker, ref(op.container), command))
          break
        }
        case 'cleanup': {
          // As the suite's After hook: list by label, remove each container, then each network.
          let containers: Docker.ContainerInfo[] = []
          let networks: Docker.NetworkInspectInfo[] = []
          await attempt('container-list', async () => {
            containers = await docker.listContainers({ all: true, filters })
          })
          for (const c of containers)
            await attempt('container-remove', () => docker.getContainer(c.Id).remove({ force: true, v: true }))
          await attempt('network-list', async () => {
            networks = await docker.listNetworks({ filters })
          })
          for (const n of networks) await attempt('network-remove', () => docker.getNetwork(n.Id).remove())
          break
        }
      }
    }
  }
  await attempt('container-list', () => docker.listContainers({ all: true, filters: JSON.stringify(runLabels) }))
  await attempt('network-list', () => docker.listNetworks({ filters: JSON.stringify(runLabels) }))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  for (const k of Object.keys(secondsByKind)) secondsByKind[k] = Math.round(secondsByKind[k] * 1000) / 1000
  return { seconds, operations, errors, counts, secondsByKind, tag }
}

/** One exec, as the suite's probes run it: sh -c, output collected, exit code read. */
async function execOnce(docker: Docker, container: string, command: string): Promise<number | null> {
  const exec = await docker
    .getContainer(container)
    .exec({ Cmd: ['sh', '-c', command], AttachStdout: true, AttachStderr: true })
  const stream = await exec.start({ hijack: true, stdin: false })
  const sink = new PassThrough().resume()
  docker.modem.demuxStream(stream, sink, sink)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`exec of "${command}" in ${container}: no end within 20 s`)),
      20_000,
    )
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    stream.on('end', done)
    stream.on('close', done)
    stream.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
  })
  return (await exec.inspect()).ExitCode
}

/** The floor of a report folder's run. */
export function floorOfReport(dir: string): Floor {
  return floorOf(readFileSync(`${dir}/messages.ndjson`, 'utf8'))
}
