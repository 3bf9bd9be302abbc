/** What a test expects to throw: the error itself, so the test can look at it. */
import { expect } from 'chai'

/** The rejection of `promise`; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (e) {
    return e as Error
  }
  expect.fail('resolved, expected a rejection')
}

/** The error `fn` throws; fails when it returns. */
export function thrownBy(fn: () => unknown): Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  expect.fail('no error thrown')
}
