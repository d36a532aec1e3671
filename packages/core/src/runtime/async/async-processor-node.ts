import { TopologyError } from '@kaskade/processor-api';
import type { AsyncProcessor, Processor, ProcessorContext, Record } from '@kaskade/processor-api';
import { callWithRetries } from './call-with-retries.js';
import type { AsyncTaskRunner, AsyncRunnerNode } from './async-task-runner.js';
import type { AsyncWork, AsyncWorkNode } from './async-work.js';
import { keyIdentity } from './key-identity.js';
import type { ResolvedAsyncOptions } from './resolved-async-options.js';

/** A context that can hand out its task's asynchronous runner (the runtime's own contexts can). */
export interface AsyncCapableContext {
  readonly nodeName: string;
  asyncRunner(): AsyncTaskRunner;
}

function asyncCapable(context: ProcessorContext<unknown, unknown>): AsyncCapableContext {
  const c = context as unknown as Partial<AsyncCapableContext>;
  if (typeof c.asyncRunner !== 'function') {
    throw new TopologyError('an asynchronous processor needs a processor context of the Kaskade runtime');
  }
  return c as AsyncCapableContext;
}

/**
 * The synchronous face of an asynchronous processor in a task's graph. `process` only queues the record (per key) and
 * starts calls up to `concurrency`; the task's runner forwards results later, on the task's loop.
 */
export class AsyncProcessorNode
  implements Processor<unknown, unknown, unknown, unknown>, AsyncWorkNode, AsyncRunnerNode
{
  readonly #user: AsyncProcessor<unknown, unknown, unknown, unknown>;
  readonly #options: ResolvedAsyncOptions;
  #name = '';
  #context: ProcessorContext<unknown, unknown> | undefined;
  #runner: AsyncTaskRunner | undefined;
  /** Per key: its waiting work, the running one first. */
  readonly #keys = new Map<unknown, AsyncWork[]>();
  /** Work at the head of its key that waits for a free slot, in arrival order. */
  #ready: AsyncWork[] = [];
  #readyHead = 0;
  #running = 0;
  #abandon = new AbortController();
  /** Attempts in flight, aborted when the work is given up. */
  readonly #attempts = new Set<AbortController>();
  held = 0;

  constructor(user: AsyncProcessor<unknown, unknown, unknown, unknown>, options: ResolvedAsyncOptions) {
    this.#user = user;
    this.#options = options;
  }

  get name(): string {
    return this.#name;
  }

  get maxInFlight(): number {
    return this.#options.maxInFlight;
  }

  init(context: ProcessorContext<unknown, unknown>): void {
    this.#context = context;
    const capable = asyncCapable(context);
    this.#name = capable.nodeName;
    this.#runner = capable.asyncRunner();
    this.#runner.register(this);
    this.#user.init?.(context.taskId);
  }

  process(record: Record<unknown, unknown>): void {
    const runner = this.#runner!;
    const work: AsyncWork = {
      node: this,
      record,
      keyId: keyIdentity(record.key),
      source: runner.sourceOfCurrent(),
      timestamp: runner.currentTimestamp,
      outputs: undefined,
      error: undefined,
    };
    runner.submitted(work);
    this.held++;
    const queue = this.#keys.get(work.keyId);
    if (queue !== undefined) {
      queue.push(work);
      return;
    }
    this.#keys.set(work.keyId, [work]);
    this.#startOrWait(work);
  }

  forward(record: Record<unknown, unknown>): void {
    this.#context!.forward(record);
  }

  applied(): void {
    this.held--;
  }

  abandon(): void {
    const reason = new Error(`the work of asynchronous processor "${this.#name}" was abandoned`);
    this.#abandon.abort(reason);
    this.#abandon = new AbortController();
    for (const c of this.#attempts) c.abort(reason);
    this.#attempts.clear();
    this.#keys.clear();
    this.#ready = [];
    this.#readyHead = 0;
    this.#running = 0;
    this.held = 0;
  }

  close(): void {
    this.#user.close?.();
  }

  #startOrWait(work: AsyncWork): void {
    if (this.#running < this.#options.concurrency) this.#start(work);
    else this.#ready.push(work);
  }

  #start(work: AsyncWork): void {
    this.#running++;
    const abandoned = this.#abandon.signal;
    const site = { nodeName: this.#name, taskId: this.#runner!.taskId, abandoned, attempts: this.#attempts };
    callWithRetries(this.#user, work.record, this.#options, site).then(
      (outputs) => {
        work.outputs = outputs;
        this.#settled(work, abandoned);
      },
      (e: unknown) => {
        work.error = e instanceof Error ? e : new Error(String(e));
        this.#settled(work, abandoned);
      },
    );
  }

  /**
   * In the promise callback: frees the key and the slot for the next work at once (starting a call touches nothing of
   * the task), and queues the result for the task's loop.
   */
  #settled(work: AsyncWork, abandoned: AbortSignal): void {
    if (abandoned.aborted) return;
    this.#running--;
    const queue = this.#keys.get(work.keyId)!;
    queue.shift();
    if (queue.length > 0) this.#startOrWait(queue[0]!);
    else this.#keys.delete(work.keyId);
    while (this.#running < this.#options.concurrency && this.#readyHead < this.#ready.length) {
      const next = this.#ready[this.#readyHead++]!;
      if (this.#readyHead === this.#ready.length) {
        this.#ready = [];
        this.#readyHead = 0;
      }
      this.#start(next);
    }
    this.#runner!.complete(work);
  }
}
