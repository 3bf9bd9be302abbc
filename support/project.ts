/** The project's root folder: every path the suite resolves (features, targets, lab, reports) starts here. */
import { join } from 'node:path'

export const PROJECT = join(__dirname, '..')
