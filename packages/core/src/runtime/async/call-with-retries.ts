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

/** Where the call runs: the node's name, its task, and the signal that says the work was given up. */
export interface CallSite {
  readonly nodeName: string;
  readonly taskId: TaskId;
  readonly abandoned: AbortSignal;
}

/**
 * Calls the processor for one record: each attempt limited to `timeoutMs` (its signal aborted then), retried with
 * backoff. Resolves with the records to forward; rejects with an `AsyncProcessingError` whose cause is the last
 * attempt's error, or with the abandonment reason when the work was given up.
 */
export async function callWithRetries(
  processor: AsyncProcessor<unknown, unknown, unknown, unknown>,
  record: Record<unknown, unknown>,
  options: ResolvedAsyncOptions,
  site: CallSite,
): Promise<readonly Record<unknown, unknown>[]> {
  for (let attempt = 1; ; attempt++) {
    site.abandoned.throwIfAborted();
    const controller = new AbortController();
    const onAbandon = (): void => controller.abort(site.abandoned.reason);
    site.abandoned.addEventListener('abort', onAbandon, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const e = new AsyncTimeoutError(options.timeoutMs);
          controller.abort(e);
          reject(e);
        }, options.timeoutMs);
      });
      const call = processor.process(record, { signal: controller.signal, attempt, taskId: site.taskId });
      const result = await Promise.race([call, timedOut]);
      return checkResult(result, site.nodeName);
    } catch (e) {
      site.abandoned.throwIfAborted();
      if (attempt > options.retries) {
        const cause = e instanceof Error ? e : new Error(String(e));
        throw new AsyncProcessingError(
          `asynchronous processor "${site.nodeName}" failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${cause.message}`,
          { cause, context: { node: site.nodeName, attempts: attempt } },
        );
      }
    } finally {
      clearTimeout(timer);
      site.abandoned.removeEventListener('abort', onAbandon);
    }
    await sleep(backoffMs(options, attempt), undefined, { signal: site.abandoned });
  }
}

function checkResult(result: unknown, nodeName: string): readonly Record<unknown, unknown>[] {
  if (Array.isArray(result) && result.every((r) => r instanceof Record)) return result as Record<unknown, unknown>[];
  throw new TypeError(
    `asynchronous processor "${nodeName}" must resolve to an array of Record (possibly empty), got ${Array.isArray(result) ? 'an array holding something else' : typeof result}`,
  );
}
