#!/usr/bin/env node
// netconform's entry point: TypeScript sources run through ts-node (transpile-only, as
// tsconfig.json says); type checking is `npm run typecheck`.
'use strict'
const path = require('node:path')
process.env.TS_NODE_PROJECT = path.join(__dirname, '..', 'tsconfig.json')
require('ts-node/register')
require('../support/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code })
