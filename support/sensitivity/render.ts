/** sensitivity.md: a sensitivity run's report for people. */
import { faultStatus, type FaultResult, type SensitivityReport } from './report'

export const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** The report's last section, in sensitivity.md and conditions.md: what the runs left on the endpoint. */
export function leftoversSection(leftovers: readonly string[]): string[] {
  return [
    '## Left on the endpoint',
    '',
    leftovers.length === 0 ? 'Nothing labelled by these runs remained.' : leftovers.map((l) => `- ${l}`).join('\n'),
    '',
  ]
}

export function renderMarkdown(r: SensitivityReport): string {
  const lines: string[] = [
    `# Sensitivity of the suite: ${r.target.name} (${r.target.engine.name} ${r.target.engine.version})`,
    '',
    `Run ${r.runId}, ${r.startedAt}, ${secs(r.durationMs)}. ${r.totals.faults} faults: ${r.totals.caught} caught, ` +
      `${r.totals.notCaught} not caught, ${r.totals.notApplicable} not applicable here ` +
      `(all their scenarios are)${r.totals.alreadySo ? `, ${r.totals.alreadySo} already so on this endpoint` : ''}` +
      `${r.totals.notRun ? `, ${r.totals.notRun} not run (no verdict: listed under "Not run")` : ''}.`,
    `Method: ${r.method}. A fault is caught when a scenario that did not fail without it fails with it.`,
    '',
  ]
  const table = (faults: FaultResult[]) => {
    lines.push('| fault | breaks | caught by | time |', '| --- | --- | --- | --- |')
    for (const f of faults) {
      const by = f.caughtBy.length > 0 ? f.caughtBy.join(', ') : 'nothing'
      const verdicts = f.verdicts.map((v) => `${v.id}: ${v.verdict}`).join('; ')
      const changed = [
        f.changed.length > 0 ? ` (changed: ${f.changed.map((c) => `${c.id} ${c.from} → ${c.to}`).join(', ')})` : '',
        f.environment.length > 0
          ? ` (failed for the environment's sake, a host port taken: ${f.environment.join(', ')})`
          : '',
      ].join('')
      const interrupted = f.interrupted ? `<br>interrupted: ${cell(f.interrupted)}` : ''
      const notRun = f.notRun.length > 0 ? `<br>not run: ${cell(f.notRun.join(', '))}: ${cell(f.notRunWhy ?? '')}` : ''
      lines.push(
        `| **${f.id}**: ${cell(f.does)} | ${cell(f.breaks)} | ${cell(by)}${cell(changed)}<br>verdicts: ` +
          `${cell(verdicts || 'none')}${interrupted}${notRun} | ${secs(f.durationMs)} |`,
      )
    }
    lines.push('')
  }
  const missed = r.faults.filter((f) => faultStatus(f) === 'NOT CAUGHT')
  lines.push('## Not caught (defects of the suite)', '')
  const unrun = r.faults.filter((f) => faultStatus(f) === 'not run')
  if (missed.length === 0)
    lines.push(
      unrun.length === 0
        ? 'None: every fault made a scenario fail.'
        : 'None among the faults whose scenarios all ran (see "Not run" for the others).',
      '',
    )
  else table(missed)
  if (unrun.length > 0) {
    lines.push(
      '## Not run (no verdict on these faults)',
      '',
      'Nothing caught these faults, and some of their scenarios were not run (the reason names the failed call, ' +
        'the interruption or the hold), so the run cannot say whether the suite catches them: ' +
        'run them again (`--faults`).',
      '',
    )
    table(unrun)
  }
  lines.push('## Caught', '')
  const hit = r.faults.filter((f) => f.caught)
  if (hit.length === 0) lines.push('None.', '')
  else table(hit)
  const so = r.faults.filter((f) => faultStatus(f) === 'already so')
  if (so.length > 0) {
    lines.push(
      '## Already so on this target',
      '',
      'The endpoint already behaves as these faults make it: ' +
        'every scenario they break has the same verdict and evidence with and without the fault, ' +
        'deviating as the profile declares (no observation can tell them apart here):',
      '',
    )
    table(so)
  }
  const na = r.faults.filter((f) => faultStatus(f) === 'not applicable')
  if (na.length > 0) {
    lines.push(
      '## Not applicable on this target',
      '',
      'Every scenario these faults break is not applicable here, so no run on this target can catch them:',
      '',
    )
    table(na)
  }
  lines.push('## Transparent mode (no fault)', '')
  lines.push(
    `Run ${r.transparent.runId}, ${secs(r.transparent.durationMs)}, ` +
      `compared with the direct run ${r.transparent.directRun}.`,
    '',
  )
  if (r.transparent.differences.length === 0) lines.push("Every verdict through the proxy equals the direct run's.", '')
  else {
    lines.push(
      "**Defect**: verdicts through the transparent proxy differ from the direct run's " +
        '(a difference marked *environment* had a host port taken by another run on this machine: ' +
        'rerun when the host is quiet):',
      '',
      '| scenario | direct | transparent | why |',
      '| --- | --- | --- | --- |',
    )
    for (const d of r.transparent.differences)
      lines.push(
        `| ${d.id} | ${d.direct} | ${d.transparent} | ${d.environment ? '*environment*: ' : ''}${cell(d.reasons)} |`,
      )
    lines.push('')
  }
  lines.push(r.transparent.verdicts.map((v) => `- ${v.id}: ${v.verdict}`).join('\n'), '')
  const swept = r.faults.filter((f) => f.sweptDirectly.length > 0)
  if (swept.length > 0) {
    lines.push(
      '## Removed directly after a fault',
      '',
      "The suite's own cleanup lists through the proxy, so a fault that hides resources hides them from it too; " +
        'the runner removed these by label, directly:',
      '',
    )
    for (const f of swept) lines.push(`- ${f.id}: ${f.sweptDirectly.join(', ')}`)
    lines.push('')
  }
  lines.push(...leftoversSection(r.leftovers))
  return `${lines.join('\n')}\n`
}
