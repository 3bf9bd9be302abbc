/**
 * The throughput clause of "Deploy Containers That Combine Bridge Networks with a Container Network":
 * "This avoids the use of NAT, which will benefit throughput performance". Measured, not judged: the
 * outside client (the profile's outside namespace) downloads the same file from two containers of the
 * same image: one through its own address on the container network (no NAT), one on the default bridge
 * through the port it publishes on the VCH's public interface (the engine's NAT or proxy), alternating
 * the two paths (A B, then B A) for several trials. It reports the median of each path, every trial,
 * and their ratio. (Two containers, not one on both networks: a dual-homed container answers a client
 * on the container network's segment from its own address, whatever the published port's NAT expects.)
 *
 *   node --require ts-node/register bench/throughput.ts [--target NAME]... [--trials N] [--megabytes M]
 *
 * Default: every lab target whose profile offers a container network (one per endpoint), 7 trials of 64 MB. Before the
 * first trial each path must serve the container's own name (who answers is known), and every trial
 * must receive exactly the file's size, or the bench stops. What it made carries the label
 * io.netconform.run=bench-throughput-<pid> and is removed by that label. Writes bench/throughput.json.
 * Exit 0 when every target was measured, 1 when one could not be, 2 on a usage error.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import type Docker from 'dockerode'
import { dockerFor } from '../support/engine/connection'
import { knownTargets, loadTarget } from '../support/profile/targets'
import { eventually } from '../support/poll'
import { LABEL_RUN, removeLabelled } from '../support/cleanup/resources'
import type { Target } from '../support/types'
import { oneLine } from '../support/text'

const PROJECT = join(__dirname, '..')
const RUN = `bench-throughput-${process.pid}`
/** The port the container publishes on the public interface (a port the suite's scenarios do not use). */
const PUBLISHED_PORT = 18_080
const log = (line: string) => process.stdout.write(`${line}\n`)

/** The outside client: downloads URL, checks its size, prints {bytes, ms}; run with this machine's node. */
const CLIENT = String.raw`
const http = require('node:http')
const [url, expected] = [process.argv[1], Number(process.argv[2])]
const t0 = process.hrtime.bigint()
http.get(url, { agent: false }, (res) => {
  let bytes = 0
  res.on('data', (d) => (bytes += d.length))
  res.on('end', () => {
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    process.stdout.write(JSON.stringify({ status: res.statusCode, bytes, ms }) + '\n')
    process.exit(res.statusCode === 200 && bytes === expected ? 0 : 1)
  })
}).on('error', (e) => { process.stdout.write(JSON.stringify({ error: e.message }) + '\n'); process.exit(1) })
`

interface Path {
  label: 'own address' | 'published port'
  url: string
  /** The container that serves it. */
  server: string
}
interface Trial {
  path: Path['label']
  megabytesPerSecond: number
  ms: number
}
interface TargetResult {
  target: string
  engine: string
  paths: Record<Path['label'], string>
  trials: Trial[]
  median: Record<Path['label'], number>
  /** own address ÷ published port. */
  ratio: number
}

function usage(message: string): never {
  process.stderr.write(
    `throughput: ${message} (usage: bench/throughput.ts [--target NAME]... [--trials N] [--megabytes M])\n`,
  )
  process.exit(2)
}

function parseArgs(argv: string[]): { targets: string[]; trials: number; megabytes: number } {
  const out = { targets: [] as string[], trials: 7, megabytes: 64 }
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1] ?? ''
    if (argv[i] === '--target' && value) out.targets.push(argv[++i])
    else if (argv[i] === '--trials' && /^[1-9]\d*$/.test(value)) out.trials = Number(argv[++i])
    else if (argv[i] === '--megabytes' && /^[1-9]\d*$/.test(value)) out.megabytes = Number(argv[++i])
    else usage(`unknown or incomplete option "${argv[i]}"`)
  }
  return out
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** This machine's node with ARGS, in the outside namespace (or on this host without one). */
function nodeOutside(netns: string | undefined, args: string[], timeoutMs: number) {
  const [file, ...rest] = netns ? ['ip', 'netns', 'exec', netns, 'node', ...args] : ['node', ...args]
  return execa(file, rest, { reject: false, timeout: timeoutMs, stdin: 'ignore' })
}

/** Runs CLIENT (or a one-line GET of the container's name) in the outside namespace. */
async function fromOutside(netns: string | undefined, args: string[], timeoutMs: number) {
  return nodeOutside(netns, ['-e', CLIENT, ...args], timeoutMs)
}

async function outsideGet(netns: string | undefined, url: string): Promise<string> {
  const script = [
    "require('node:http').get(process.argv[1], { agent: false }, (r) => {",
    "  let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => process.stdout.write(b))",
    "}).on('error', (e) => process.stdout.write('error: ' + e.message))",
  ].join('\n')
  const r = await nodeOutside(netns, ['-e', script, url], 5_000)
  return String(r.stdout ?? '').trim()
}

/**
 * One server container: on the container network (own address), or on the default bridge with
 * PUBLISHED_PORT published on the public interface. Its address on the container network, if there.
 */
async function startServer(docker: Docker, target: Target, o: { name: string; megabytes: number; own: boolean }) {
  const net = target.offers.containerNetwork!
  const container = await docker.createContainer({
    name: o.name,
    Image: target.probeImage,
    Labels: { [LABEL_RUN]: RUN },
    Cmd: [
      'sh',
      '-c',
      `mkdir -p /www && echo ${o.name} >/www/name && ` +
        `dd if=/dev/zero of=/www/blob bs=1048576 count=${o.megabytes} 2>/dev/null && exec httpd -f -p 80 -h /www`,
    ],
    ExposedPorts: { '80/tcp': {} },
    HostConfig: o.own
      ? { NetworkMode: net.name }
      : { PortBindings: { '80/tcp': [{ HostPort: String(PUBLISHED_PORT) }] } },
  })
  await container.start()
  if (!o.own) return `${target.publicAddress}:${PUBLISHED_PORT}`
  const address = (await container.inspect()).NetworkSettings.Networks[net.name]?.IPAddress
  if (!address) throw new Error(`${o.name} has no address on ${net.name}`)
  return `${address}:80`
}

async function measure(name: string, megabytes: number, trials: number): Promise<TargetResult> {
  const target = loadTarget(name)
  const net = target.offers.containerNetwork
  if (!net) throw new Error(`target ${name} offers no container network`)
  const docker = dockerFor(target)
  const engine = String((await docker.version()).Version)
  const server = (path: string) => `nc-${RUN}-${name}-${path}`.replace(/[^a-zA-Z0-9_.-]/g, '-')
  try {
    const paths: Path[] = []
    for (const own of [true, false]) {
      const at = await startServer(docker, target, { name: server(own ? 'own' : 'bridge'), megabytes, own })
      paths.push({
        label: own ? 'own address' : 'published port',
        url: `http://${at}`,
        server: server(own ? 'own' : 'bridge'),
      })
    }
    // Who answers is known before anything is timed: each path serves its container's name.
    for (const p of paths)
      await eventually(
        `${p.url}/name to answer ${p.server} from the outside client`,
        async () => {
          const seen = await outsideGet(net.outsideNetns, `${p.url}/name`)
          return { ok: seen === p.server, seen: seen || 'no answer' }
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      )
    const expected = megabytes * 1048576
    const results: Trial[] = []
    for (let t = 0; t < trials; t++) {
      const order = t % 2 === 0 ? paths : [...paths].reverse()
      for (const p of order) {
        const r = await fromOutside(net.outsideNetns, [`${p.url}/blob`, String(expected)], 120_000)
        const got = JSON.parse(String(r.stdout || '{}').trim() || '{}') as {
          bytes?: number
          ms?: number
          error?: string
        }
        if (r.exitCode !== 0 || !got.ms)
          throw new Error(`trial ${t + 1} through ${p.label} (${p.url}/blob): ${oneLine(String(r.stdout || r.stderr))}`)
        results.push({ path: p.label, ms: got.ms, megabytesPerSecond: megabytes / (got.ms / 1000) })
      }
    }
    const med = (label: Path['label']) =>
      median(results.filter((r) => r.path === label).map((r) => r.megabytesPerSecond))
    const m = { 'own address': med('own address'), 'published port': med('published port') }
    return {
      target: name,
      engine,
      paths: { 'own address': paths[0].url, 'published port': paths[1].url },
      trials: results,
      median: m,
      ratio: m['own address'] / m['published port'],
    }
  } finally {
    await removeLabelled(docker, { [LABEL_RUN]: RUN })
  }
}

/** The lab's targets with a container network, one per engine (docker-tls is docker's engine again: same /info ID). */
async function labTargets(): Promise<string[]> {
  const seen = new Set<string>()
  const out: string[] = []
  for (const t of knownTargets()) {
    const target = loadTarget(t)
    if (!target.offers.containerNetwork) continue
    const info = (await dockerFor(target, 5_000)
      .info()
      .catch(() => ({}))) as { ID?: string }
    const key = info.ID || target.endpoint
    if (!seen.has(key)) out.push(t)
    seen.add(key)
  }
  return out
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const targets = args.targets.length > 0 ? args.targets : await labTargets()
  const results: TargetResult[] = []
  const failed: string[] = []
  for (const name of targets) {
    try {
      const r = await measure(name, args.megabytes, args.trials)
      results.push(r)
      const f = (x: number) => x.toFixed(0)
      log(
        `${name} (${r.engine}): own address ${f(r.median['own address'])} MB/s, published port ` +
          `${f(r.median['published port'])} MB/s (medians of ${args.trials} × ${args.megabytes} MB each, ` +
          `alternated); own ÷ published ${r.ratio.toFixed(2)}`,
      )
    } catch (e) {
      failed.push(name)
      log(`${name}: not measured: ${oneLine((e as Error).message)}`)
    }
  }
  const file = join(PROJECT, 'bench', 'throughput.json')
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), megabytes: args.megabytes, trials: args.trials, results }, null, 2) +
      '\n',
  )
  log(`wrote ${file}`)
  process.exitCode = failed.length > 0 ? 1 : 0
}

main().catch((e: unknown) => {
  process.stderr.write(`throughput: ${oneLine((e as Error).message)}\n`)
  process.exit(2)
})
