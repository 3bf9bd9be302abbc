'use strict'
/**
 * The verdict console: while the run goes, one line per scenario in netconform's words —
 * verdict, id, duration, progress (done/total, elapsed) — and for anything but conforms its
 * reason on one line; a `fails` also says where its transcript is. No cucumber "Failures:"
 * block, no stack traces: the verdicts come from the same code as summary.json
 * (support/report/build-summary.ts testCaseVerdict, with the profile's declared deviations).
 *
 * A cucumber formatter must be JavaScript; this one runs in the netconform process and requires
 * its neighbours without an extension: from the sources (ts-node registered) that is build-summary.ts,
 * from the compiled package (`npm run build` copies this file into dist/) build-summary.js. Its options
 * come through formatOptions.netconform: { deviations, report }.
 */
const { Formatter } = require('@cucumber/cucumber')
const { Query } = require('@cucumber/query')

const WIDTH = 'not-applicable'.length
/** A reason's line is cut to this many characters (support/text.ts oneLine). */
const REASON_MAX = 300

class VerdictConsole extends Formatter {
  static documentation = 'netconform: one line per scenario with its verdict and reason'

  constructor(options) {
    super(options)
    const { testCaseVerdict } = require('./build-summary')
    const { oneLine } = require('../text')
    const line = (text) => oneLine(String(text), REASON_MAX)
    const { deviations = {}, report = '' } = options.parsedArgvOptions.netconform ?? {}
    const query = new Query()
    const started = Date.now()
    let total = 0
    let done = 0
    options.eventBroadcaster.on('envelope', (envelope) => {
      query.update(envelope)
      if (envelope.testCase) total += 1
      const finished = envelope.testCaseFinished
      if (!finished || finished.willBeRetried) return
      const testCaseStarted = query.findTestCaseStartedBy(finished)
      if (!testCaseStarted) return
      done += 1
      const r = testCaseVerdict(query, testCaseStarted, deviations)
      const word = r.notRun ? 'not run' : r.verdict
      const progress = `[${done}/${total}, ${Math.round((Date.now() - started) / 1000)} s]`
      this.log(`${word.padEnd(WIDTH)}  ${r.id}  ${(r.durationMs / 1000).toFixed(1)} s  ${progress}\n`)
      const reason = r.notRun ? r.notRun.reason : r.reason
      if (word !== 'conforms' && reason) this.log(`${' '.repeat(WIDTH)}  ${line(reason)}\n`)
      else if (word === 'conforms' && r.deviation && r.deviation.noLongerNeeded)
        this.log(`${' '.repeat(WIDTH)}  ${line(r.reason)}\n`)
      if (word === 'fails' && report) this.log(`${' '.repeat(WIDTH)}  transcript: ${report} (scenario ${r.id})\n`)
    })
  }
}

module.exports = VerdictConsole
