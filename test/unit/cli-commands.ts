/**
 * The report commands as the command line calls them: argv parsed by the CLI's parser (the table
 * in support/cli/commands.ts), then the command (support/cli/report-commands.ts). A parse error is a
 * rejection of the async ones, and thrown by document, as the commands' own parsers did.
 */
import { parseCommand } from '../../support/cli/commands'
import * as reports from '../../support/cli/report-commands'

type Out = (line: string) => void

export const matrixCommand = async (argv: string[], out: Out) =>
  reports.matrixCommand(parseCommand('matrix', argv), out)
export const documentCommand = (argv: string[], out: Out) =>
  reports.documentCommand(parseCommand('document', argv), out)
export const compareCommand = async (argv: string[], out: Out) =>
  reports.compareCommand(parseCommand('compare', argv), out)
export const recordCommand = async (argv: string[], out: Out) =>
  reports.recordCommand(parseCommand('record', argv), out)
export const verifyCommand = async (argv: string[], out: Out) =>
  reports.verifyCommand(parseCommand('verify', argv), out)
