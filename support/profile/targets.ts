/**
 * Target profiles: targets/<name>.yaml, validated against targets/target.schema.json.
 * Every problem is a UsageError that names the file and the field.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import Ajv, { type ErrorObject } from 'ajv'
import { parse } from 'yaml'
import { PROJECT } from '../project'
import { UsageError, firstLine } from '../errors'
import { endpointFromEnvironment, tlsFromEnvironment } from '../engine/connection'
import type { ChosenEndpoint } from '../engine/docker-contexts'
import type { Target } from '../types'
import { stepRegExp } from './verdicts'
import { scenarioIds } from '../scenario-id'
import schema from '../../targets/target.schema.json'

export const TARGETS_DIR = join(PROJECT, 'targets')
export const DEFAULT_PROBE_IMAGE = 'netconform-probe:1'

const validate = new Ajv({ allErrors: true }).compile(schema)

/** The stable ids of all scenarios: the @id: tags in features/ (defined in support/scenario-id.ts). */
export { scenarioIds }

/** Names of the profiles in targets/. */
export function knownTargets(dir = TARGETS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.includes('.example.'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort()
}

/** One line per schema error: the field's path and what is wrong with it. */
function describeError(e: ErrorObject): string {
  const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.')
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty
    return `unknown field "${field ? `${field}.` : ''}${key}"`
  }
  if (e.keyword === 'required')
    return `missing field "${field ? `${field}.` : ''}${(e.params as { missingProperty: string }).missingProperty}"`
  return `field "${field || '(top)'}" ${e.message}`
}

/** Parses and validates a profile's text; `file` names it in errors. */
export function parseTarget(text: string, file: string): Target {
  let data: unknown
  try {
    data = parse(text)
  } catch (e) {
    throw new UsageError(`${file}: not valid YAML: ${firstLine(e)}`)
  }
  const drafts = unreasonedDrafts(data)
  if (drafts.length > 0)
    throw new UsageError(
      `${file}: ${drafts.length} draft deviation(s) without a reason (write why the endpoint does this, or ` +
        `remove the draft): ${drafts.join(', ')}`,
    )
  if (!validate(data)) throw new UsageError(`${file}: ${(validate.errors ?? []).map(describeError).join('; ')}`)
  const t = data as Omit<Target, 'source' | 'offers' | 'deviations'> & Partial<Pick<Target, 'offers' | 'deviations'>>
  const known = scenarioIds()
  for (const [id, deviation] of Object.entries(t.deviations ?? {})) {
    if (!known.has(id))
      throw new UsageError(
        `${file}: field "deviations.${id}": no scenario has the id ${id} (ids are the @id: tags in features/)`,
      )
    checkRegExp(file, `deviations.${id}.step`, () => stepRegExp(deviation.step))
    checkRegExp(file, `deviations.${id}.observed`, () => new RegExp(deviation.observed))
  }
  for (const offer of Object.keys(t.lacks ?? {}) as (keyof Target['offers'])[]) {
    if (t.offers?.[offer])
      throw new UsageError(
        `${file}: field "lacks.${offer}": the profile offers ${offer} (offers.${offer}) and says why it lacks it`,
      )
  }
  if (t.tls) {
    if (!/^tcp:\/\//i.test(t.endpoint))
      throw new UsageError(`${file}: field "tls": only a tcp:// endpoint speaks TLS, not ${t.endpoint}`)
    // Relative paths are relative to the profile's folder.
    const folder = dirname(file)
    t.tls = {
      caFile: resolve(folder, t.tls.caFile),
      certFile: resolve(folder, t.tls.certFile),
      keyFile: resolve(folder, t.tls.keyFile),
    }
  }
  if (t.ssh) {
    if (!/^ssh:\/\//i.test(t.endpoint))
      throw new UsageError(`${file}: field "ssh": only an ssh:// endpoint uses ssh files, not ${t.endpoint}`)
    // Relative paths are relative to the profile's folder.
    const folder = dirname(file)
    t.ssh = {
      ...(t.ssh.identityFile ? { identityFile: resolve(folder, t.ssh.identityFile) } : {}),
      ...(t.ssh.knownHostsFile ? { knownHostsFile: resolve(folder, t.ssh.knownHostsFile) } : {}),
    }
  }
  return { ...t, offers: t.offers ?? {}, deviations: t.deviations ?? {}, source: file }
}

/**
 * The scenarios whose deviation is a draft nobody has reviewed: `reason` null or absent, as
 * `netconform declare` writes them. Refused before the schema, in one line that names them all, so
 * that no difference is declared without a person saying why.
 */
function unreasonedDrafts(data: unknown): string[] {
  const deviations = (data as { deviations?: unknown } | null)?.deviations
  if (typeof deviations !== 'object' || deviations === null) return []
  return Object.entries(deviations)
    .filter(([, d]) => typeof d === 'object' && d !== null && isUnset((d as { reason?: unknown }).reason))
    .map(([id]) => id)
}

const isUnset = (value: unknown) => value === null || value === undefined

/** A deviation's regular expressions must compile when the profile loads, not when a scenario fails. */
function checkRegExp(file: string, field: string, compile: () => unknown): void {
  try {
    compile()
  } catch (e) {
    throw new UsageError(`${file}: field "${field}": not a valid regular expression: ${firstLine(e)}`)
  }
}

/** Loads targets/<name>.yaml, or a profile given by path. */
export function loadTarget(nameOrPath: string, dir = TARGETS_DIR): Target {
  const file = /[/\\]|\.ya?ml$/.test(nameOrPath) ? nameOrPath : join(dir, `${nameOrPath}.yaml`)
  if (!existsSync(file)) {
    throw new UsageError(
      `unknown target "${nameOrPath}": no ${relative(process.cwd(), file) || file} (known targets: ` +
        `${knownTargets(dir).join(', ')})`,
    )
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read target profile ${file}: ${firstLine(e)}`)
  }
  return parseTarget(text, shownPath(file))
}

/** A path as messages show it: relative to the working folder when inside it, else absolute. */
function shownPath(file: string): string {
  const rel = relative(process.cwd(), file)
  return rel === '' || rel.startsWith('..') ? resolve(file) : rel
}

/**
 * The target when none is named: the endpoint the docker CLI would use, with TLS as the docker
 * CLI would (DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, for a tcp:// endpoint).
 */
export function defaultTarget(
  chosen: string | ChosenEndpoint = endpointFromEnvironment(),
  env: NodeJS.ProcessEnv = process.env,
): Target {
  const { endpoint, source } = typeof chosen === 'string' ? fromEnvironment(chosen, env) : chosen
  const url = safeUrl(endpoint.url)
  const publicAddress =
    url && url.protocol !== 'unix:' && url.hostname ? url.hostname.replace(/^\[(.*)\]$/, '$1') : '127.0.0.1'
  return {
    name: 'default',
    endpoint: endpoint.url,
    ...(endpoint.tls ? { tls: endpoint.tls } : {}),
    publicAddress,
    probeImage: DEFAULT_PROBE_IMAGE,
    offers: {},
    deviations: {},
    source,
  }
}

/** An endpoint URL the environment gave (DOCKER_HOST or the default socket), with its TLS files. */
function fromEnvironment(endpoint: string, env: NodeJS.ProcessEnv): ChosenEndpoint {
  const tls = tlsFromEnvironment(endpoint, env)
  return {
    endpoint: tls ? { url: endpoint, tls } : { url: endpoint },
    source: `environment (DOCKER_HOST or the default socket${tls ? '; TLS: DOCKER_TLS_VERIFY, DOCKER_CERT_PATH' : ''})`,
  }
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s)
  } catch {
    return undefined
  }
}
