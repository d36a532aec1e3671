import { TopologyError } from '@kaskade/processor-api';

/** Checks a duration parameter (ms) of a window definition: a safe integer >= min. */
export function checkDuration(what: string, ms: number, min = 0): void {
  if (!(Number.isSafeInteger(ms) && ms >= min)) {
    throw new TopologyError(`${what} must be an integer >= ${min} (ms), got ${String(ms)}`);
  }
}
