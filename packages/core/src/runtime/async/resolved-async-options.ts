import { TopologyError } from '@kaskade/processor-api';
import type { AsyncProcessingOptions } from '@kaskade/processor-api';

/** Asynchronous operator settings with defaults filled in. */
export interface ResolvedAsyncOptions {
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly backoffMultiplier: number;
  readonly maxInFlight: number;
}

function check(name: string, value: number | undefined, min: number, integer: boolean, operator: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new TopologyError(
      `${operator}: ${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(value)}`,
      { context: { option: name, value: String(value) } },
    );
  }
}

/** Validates the settings (a `TopologyError` names the bad one) and fills in the defaults. */
export function resolveAsyncOptions(
  options: AsyncProcessingOptions = {},
  operator = 'async processor',
): ResolvedAsyncOptions {
  check('concurrency', options.concurrency, 1, true, operator);
  check('timeoutMs', options.timeoutMs, 1, false, operator);
  check('retries', options.retries, 0, true, operator);
  check('backoff.initialMs', options.backoff?.initialMs, 0, false, operator);
  check('backoff.maxMs', options.backoff?.maxMs, 0, false, operator);
  check('backoff.multiplier', options.backoff?.multiplier, 1, false, operator);
  check('maxInFlight', options.maxInFlight, 1, true, operator);
  const concurrency = options.concurrency ?? 16;
  return {
    concurrency,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: options.retries ?? 0,
    backoffInitialMs: options.backoff?.initialMs ?? 100,
    backoffMaxMs: options.backoff?.maxMs ?? 10_000,
    backoffMultiplier: options.backoff?.multiplier ?? 2,
    maxInFlight: Math.max(options.maxInFlight ?? Math.max(100, 10 * concurrency), concurrency),
  };
}

/** Delay before retry `n` (1-based). */
export function backoffMs(options: ResolvedAsyncOptions, n: number): number {
  return Math.min(options.backoffMaxMs, options.backoffInitialMs * options.backoffMultiplier ** (n - 1));
}
