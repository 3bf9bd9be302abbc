/**
 * What cuts a run short, shared by the runner and the hooks in one process: a signal
 * (SIGINT, SIGTERM), or the endpoint that stopped answering. Scenarios not yet started are
 * then skipped as not run; the one under way finishes its steps (each has a deadline) and its
 * cleanup.
 */
export const interruption: { reason?: string; signal?: NodeJS.Signals } = {}

/** Records a signal in this process (a cucumber worker, or the runner itself in a serial run). */
export function watchSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interruption.signal) return
      interruption.signal = signal
      interruption.reason ??= `interrupted by ${signal}`
    })
  }
}

/** The exit code of a run that a signal cut short, as a shell reports one: 128 + the signal's number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143
}
