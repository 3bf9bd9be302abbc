/**
 * Where the suite's files are. PROJECT is the package root: features/, targets/, lab/ and the
 * document are there, in a checkout as in an installed package. The code runs either from its
 * TypeScript sources (a checkout, through ts-node) or compiled into dist/ (an installed package,
 * `npm pack` builds it): CODE_DIR and CODE_EXT say which, for what is loaded by path (cucumber's
 * support code, the verdict console).
 */
import { readFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

/** True when this module runs compiled (dist/support/project.js), not from project.ts. */
export const COMPILED = __filename.endsWith('.js')
const above = join(__dirname, '..')
export const PROJECT = COMPILED && basename(above) === 'dist' ? dirname(above) : above
/** The folder whose support/ and steps/ are loaded: dist/ when compiled, else the project. */
export const CODE_DIR = COMPILED ? join(PROJECT, 'dist') : PROJECT
/** The extension of the code loaded by path: `js` compiled, `ts` from the sources. */
export const CODE_EXT = COMPILED ? 'js' : 'ts'

/** Where reports go unless --reports says: reports/ in the folder netconform is run from. */
export function defaultReportsDir(): string {
  return resolve('reports')
}

/** This netconform's version, from its package.json. */
export function netconformVersion(): string {
  return (JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string }).version
}
