import { TopologyError } from '@kaskade/processor-api';
import type {
  Cancellable,
  ProcessorContext,
  PunctuationType,
  Punctuator,
  Record,
  RecordMetadata,
  StateStore,
  TaskId,
} from '@kaskade/processor-api';
import { AsyncTaskRunner } from './async/async-task-runner.js';
import { existingProcessorMetadata, processorMetadataOf } from './processor-metadata.js';
import type { RuntimeNode } from './runtime-nodes.js';
import type { StreamTask } from './stream-task.js';

/**
 * The context of one processor node in one task. Forwarding calls the children directly (depth first); nothing
 * here allocates per record except what the processor itself creates.
 */
export class ProcessorContextImpl implements ProcessorContext<unknown, unknown> {
  readonly #task: StreamTask;
  readonly #node: RuntimeNode;
  readonly #stores: ReadonlySet<string>;

  constructor(task: StreamTask, node: RuntimeNode, connectedStores: readonly string[]) {
    this.#task = task;
    this.#node = node;
    this.#stores = new Set(connectedStores);
  }

  get taskId(): TaskId {
    return this.#task.id;
  }

  get applicationId(): string {
    return this.#task.env.applicationId;
  }

  forward<K, V>(record: Record<K, V>, childName?: string): void {
    const node = this.#node;
    if (childName !== undefined) {
      const child = node.childByName.get(childName);
      if (!child) {
        throw new TopologyError(`processor "${node.name}" has no child named "${childName}"`, {
          context: { node: node.name },
        });
      }
      child.process(record as Record<unknown, unknown>);
      return;
    }
    const children = node.children;
    for (let i = 0; i < children.length; i++) children[i]!.process(record as Record<unknown, unknown>);
  }

  getStateStore<S extends StateStore>(name: string): S {
    if (!this.#stores.has(name)) {
      const global = this.#task.env.globalStore?.(name);
      if (global !== undefined) return global as S;
      throw new TopologyError(
        `processor "${this.#node.name}" has no access to store "${name}": connect it with addStateStore(builder, "${this.#node.name}") or connectProcessorAndStateStores`,
        { context: { node: this.#node.name, store: name } },
      );
    }
    const store = this.#task.store(name);
    if (!store) {
      throw new TopologyError(`store "${name}" is not open in task ${this.#task.idString}`, {
        context: { node: this.#node.name, store: name, taskId: this.#task.idString },
      });
    }
    return store as S;
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.#task.schedule(this.#node.name, intervalMs, type, punctuator);
  }

  commit(): void {
    this.#task.commitRequested = true;
  }

  recordMetadata(): RecordMetadata | null {
    return this.#task.recordMetadata();
  }

  currentStreamTimeMs(): number {
    return this.#task.streamTime;
  }

  currentSystemTimeMs(): number {
    return this.#task.env.wallClockMs();
  }

  recordDropped(reason: string): void {
    this.#task.recordDropped(reason);
  }

  appConfigs(): Readonly<{ [key: string]: unknown }> {
    return this.#task.env.appConfigs;
  }

  /** The task's processor metadata under `key` (committed with its offsets), undefined when never set. */
  processorMetadataForKey(key: string): number | undefined {
    return existingProcessorMetadata(this.#task)?.get(key);
  }

  /** Sets the task's processor metadata under `key`; committed with the task's next offsets. */
  addProcessorMetadataKeyValue(key: string, value: number): void {
    processorMetadataOf(this.#task).set(key, value);
  }

  /** The node this context belongs to (asynchronous processors name themselves with it). */
  get nodeName(): string {
    return this.#node.name;
  }

  /** The task's asynchronous runner, made on first use: only topologies with asynchronous operators have one. */
  asyncRunner(): AsyncTaskRunner {
    const task = this.#task;
    return (task.asyncRunner ??= new AsyncTaskRunner(
      task,
      task.env.appConfigs['processingGuarantee'] === 'exactly_once_v2',
    ));
  }
}
