/**
 * Parallel runs' support code: cucumber asks, for each waiting scenario, whether it may start
 * beside those running; the rule and the preference are in holds/scheduler.ts.
 */
import { setParallelCanAssign } from '@cucumber/cucumber'
import { Scheduler, canStartBeside, planOf } from '../holds/scheduler'

// The plan is read on the first question, which only a parallel run's coordinator asks.
// NETCONFORM_SCHEDULER=fifo keeps only the collision rule (file order otherwise): bench/ compares the two.
let scheduler: Scheduler | undefined
setParallelCanAssign((pickle, running) =>
  process.env.NETCONFORM_SCHEDULER === 'fifo'
    ? canStartBeside(pickle, running)
    : (scheduler ??= new Scheduler(planOf())).canAssign(pickle, running),
)
