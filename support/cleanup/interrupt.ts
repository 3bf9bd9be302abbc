/**
 * What cuts a run short, shared by the runner and the hooks in one process: a signal
 * (SIGINT, SIGTERM), or the endpoint that stopped answering. Scenarios not yet started are
 * then skipped as not run; the one under way finishes its steps (each has a deadline) and its
 * cleanup.
 */
export const interruption: { reason?: string; signal?: NodeJS.Signals } = {}

/**
 * Records a signal in this process (a cucumber worker, or the runner itself in a serial run).
 * A worker of a parallel run (it has an IPC channel to the runner) stops quietly at a second
 * signal: the runner sweeps the run's resources and says so; a worker whose runner has gone
 * ends without a stack trace about the closed channel.
 */
export function watchSignals(): void {
  const worker = typeof process.send === 'function'
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interruption.signal) {
        if (worker) process.exit(signalExitCode(signal))
        return
      }
      interruption.signal = signal
      interruption.reason ??= `interrupted by ${signal}`
    })
  }
  if (worker) {
    const quietWhenOrphaned = (e: unknown) => {
      if ((e as NodeJS.ErrnoException)?.code !== 'ERR_IPC_CHANNEL_CLOSED') throw e
      process.exit(signalExitCode(interruption.signal ?? 'SIGTERM'))
    }
    process.on('uncaughtException', quietWhenOrphaned)
    process.on('unhandledRejection', quietWhenOrphaned)
  }
}

/** The exit code of a run that a signal cut short, as a shell reports one: 128 + the signal's number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143
}
