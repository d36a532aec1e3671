import { StreamsError, TopologyError } from '@kaskade/processor-api';
import type { Cancellable, ProcessorContext, Record, RecordMetadata, StateStore, TaskId } from '@kaskade/processor-api';
import type { GlobalStateUpdateTask } from './global-state-update-task.js';
import type { RuntimeNode } from './runtime-nodes.js';

/**
 * The context of a global store's processor: it reads and writes global stores only, forwards to nothing (a global
 * store's processor has no children) and cannot schedule punctuations, as in Kafka Streams.
 *
 * @see org.apache.kafka.streams.processor.internals.GlobalProcessorContextImpl
 */
export class GlobalProcessorContext implements ProcessorContext<unknown, unknown> {
  readonly #task: GlobalStateUpdateTask;
  readonly #node: RuntimeNode;
  readonly taskId: TaskId;

  constructor(task: GlobalStateUpdateTask, node: RuntimeNode, taskId: TaskId) {
    this.#task = task;
    this.#node = node;
    this.taskId = taskId;
  }

  get applicationId(): string {
    return this.#task.env.applicationId;
  }

  forward<K, V>(record: Record<K, V>): void {
    const children = this.#node.children;
    for (let i = 0; i < children.length; i++) children[i]!.process(record as Record<unknown, unknown>);
  }

  getStateStore<S extends StateStore>(name: string): S {
    const store = this.#task.store(name);
    if (!store) {
      throw new TopologyError(
        `global processor "${this.#node.name}" can only use global stores; "${name}" is not one`,
        {
          context: { node: this.#node.name, store: name },
        },
      );
    }
    return store as S;
  }

  schedule(): Cancellable {
    throw new StreamsError(`global processor "${this.#node.name}" cannot schedule punctuations`, {
      context: { node: this.#node.name },
    });
  }

  commit(): void {
    // Global stores are flushed on the runtime's own schedule.
  }

  recordMetadata(): RecordMetadata | null {
    return this.#task.context.metadata();
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
}
