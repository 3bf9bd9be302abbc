#!/usr/bin/env node
// netconform's entry point. An installed package runs its compiled JavaScript (dist/, built by
// `npm pack`, which ships no TypeScript); a checkout runs its TypeScript sources through ts-node
// (transpile-only, as tsconfig.json says), even when a build left dist/ there, so a stale build
// never runs in place of the sources; NETCONFORM_DIST=1 runs a checkout's dist/ instead.
// Type checking is `npm run typecheck`.
'use strict'
const { existsSync } = require('node:fs')
const path = require('node:path')
const root = path.join(__dirname, '..')
const args = process.argv.slice(2)
// --version answers before any module loads: the quickest way to know the CLI is there.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V' || args[0] === 'version')) {
  process.stdout.write(`netconform ${require('../package.json').version}\n`)
  return
}
const compiled = path.join(root, 'dist', 'support', 'cli', 'main.js')
let main
const sources = existsSync(path.join(root, 'support', 'cli', 'main.ts'))
if (existsSync(compiled) && (!sources || process.env.NETCONFORM_DIST === '1')) {
  main = require(compiled).main
} else {
  process.env.TS_NODE_PROJECT = path.join(root, 'tsconfig.json')
  require('ts-node/register')
  main = require('../support/cli/main.ts').main
}
main(args).then((code) => {
  process.exitCode = code
})
