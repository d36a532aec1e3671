import { setTimeout as sleep } from 'node:timers/promises';
import { AsyncProcessingError, Record } from '@kaskade/processor-api';
import type { AsyncProcessor, TaskId } from '@kaskade/processor-api';
import { backoffMs } from './resolved-async-options.js';
import type { ResolvedAsyncOptions } from './resolved-async-options.js';

/** An attempt took longer than `timeoutMs`. */
export class AsyncTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`the call did not complete within ${timeoutMs} ms`);
    this.name = 'AsyncTimeoutError';
  }
}

/** Where the call runs: the node's name, its task, and the controllers of attempts in flight (aborted on abandon). */
export interface CallSite {
  readonly nodeName: string;
  readonly taskId: TaskId;
  /** Aborted when the node gives its work up. */
  readonly abandoned: AbortSignal;
  /** The attempts in flight: the node aborts them all when it gives its work up. */
  readonly attempts: Set<AbortController>;
}

/**
 * Calls the processor for one record: each attempt limited to `timeoutMs` (its signal aborted then), retried with
 * backoff. Resolves with the records to forward; rejects with an `AsyncProcessingError` whose cause is the last
 * attempt's error, or with the abandonment reason when the work was given up. The first attempt costs one promise,
 * one timer and one AbortController; retries go through an async loop.
 */
export function callWithRetries(
  processor: AsyncProcessor<unknown, unknown, unknown, unknown>,
  record: Record<unknown, unknown>,
  options: ResolvedAsyncOptions,
  site: CallSite,
): Promise<readonly Record<unknown, unknown>[]> {
  return attempt(processor, record, options, site, 1).catch((e: unknown) => retry(processor, record, options, site, e));
}

async function retry(
  processor: AsyncProcessor<unknown, unknown, unknown, unknown>,
  record: Record<unknown, unknown>,
  options: ResolvedAsyncOptions,
  site: CallSite,
  firstError: unknown,
): Promise<readonly Record<unknown, unknown>[]> {
  let error = firstError;
  for (let n = 1; ; n++) {
    site.abandoned.throwIfAborted();
    if (n > options.retries) throw failure(site, error, n);
    await sleep(backoffMs(options, n), undefined, { signal: site.abandoned });
    try {
      return await attempt(processor, record, options, site, n + 1);
    } catch (e) {
      error = e;
    }
  }
}

function attempt(
  processor: AsyncProcessor<unknown, unknown, unknown, unknown>,
  record: Record<unknown, unknown>,
  options: ResolvedAsyncOptions,
  site: CallSite,
  n: number,
): Promise<readonly Record<unknown, unknown>[]> {
  const controller = new AbortController();
  site.attempts.add(controller);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const e = new AsyncTimeoutError(options.timeoutMs);
      controller.abort(e);
      reject(e);
    }, options.timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      site.attempts.delete(controller);
    };
    let call: Promise<readonly Record<unknown, unknown>[]>;
    try {
      call = processor.process(record, { signal: controller.signal, attempt: n, taskId: site.taskId });
    } catch (e) {
      done();
      reject(e as Error);
      return;
    }
    Promise.resolve(call).then(
      (result) => {
        done();
        try {
          resolve(checkResult(result, site.nodeName));
        } catch (e) {
          reject(e as Error);
        }
      },
      (e: unknown) => {
        done();
        reject(e as Error);
      },
    );
  });
}

function failure(site: CallSite, e: unknown, attempts: number): AsyncProcessingError {
  const cause = e instanceof Error ? e : new Error(String(e));
  return new AsyncProcessingError(
    `asynchronous processor "${site.nodeName}" failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${cause.message}`,
    { cause, context: { node: site.nodeName, attempts } },
  );
}

function checkResult(result: unknown, nodeName: string): readonly Record<unknown, unknown>[] {
  if (Array.isArray(result) && result.every((r) => r instanceof Record)) return result as Record<unknown, unknown>[];
  throw new TypeError(
    `asynchronous processor "${nodeName}" must resolve to an array of Record (possibly empty), got ${Array.isArray(result) ? 'an array holding something else' : typeof result}`,
  );
}
