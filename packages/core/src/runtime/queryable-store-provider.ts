import { InvalidStateStoreError } from '@kaskade/processor-api';
import type { StateStore } from '@kaskade/processor-api';
import { TimestampedKeyValueStoreBuilder, TimestampedWindowStoreBuilder } from '@kaskade/state-store/internal';
import type { Topology } from '../topology/topology.js';
import type { QueryableStoreName } from './queryable-store-name.js';
import type { QueryableStoreType } from './queryable-store-types.js';
import type { StreamTask } from './stream-task.js';
import type { StreamsState } from './streams-state.js';

/** What holds stores: the local tasks, and the global stores' task (the whole of each global store). */
export type StoreHolder = Pick<StreamTask, 'store' | 'idString'>;

/**
 * Interactive queries of one instance: views of a store over the local tasks, which exist only while the instance is
 * RUNNING (a view asks again at every call, so it follows rebalances).
 *
 * @see org.apache.kafka.streams.state.internals.QueryableStoreProvider
 */
export class QueryableStoreProvider {
  readonly #topology: Topology;
  readonly #state: () => StreamsState;
  readonly #tasks: () => readonly StoreHolder[];

  constructor(topology: Topology, state: () => StreamsState, tasks: () => readonly StoreHolder[]) {
    this.#topology = topology;
    this.#state = state;
    this.#tasks = tasks;
  }

  /** A read-only view of a store over all local tasks (see `KafkaStreams.store`). */
  store<T>(name: QueryableStoreName<T>, type: QueryableStoreType<T>): T {
    this.#check(name);
    const def = this.#topology.stores().get(name)!;
    const probe = def.builder.build();
    if (!type.accepts(probe)) {
      throw new InvalidStateStoreError(`store "${name}" is not a ${type.kind}`, { context: { store: name } });
    }
    const timestamped =
      def.builder instanceof TimestampedKeyValueStoreBuilder || def.builder instanceof TimestampedWindowStoreBuilder;
    return type.compose(
      name,
      () => {
        this.#check(name);
        const out: StateStore[] = [];
        for (const t of this.#tasks()) {
          const s = t.store(name);
          if (s) out.push(s);
        }
        return out;
      },
      timestamped,
    );
  }

  /** The store instances of each local task, by task id. */
  localStores<S extends StateStore>(name: string): Map<string, S> {
    this.#check(name);
    const out = new Map<string, S>();
    for (const t of this.#tasks()) {
      const s = t.store(name);
      if (s) out.set(t.idString, s as S);
    }
    return out;
  }

  #check(name: string): void {
    if (!this.#topology.stores().has(name)) {
      throw new InvalidStateStoreError(`no store named "${name}" in this topology`, { context: { store: name } });
    }
    if (this.#state() !== 'RUNNING') {
      throw new InvalidStateStoreError(
        `store "${name}" cannot be queried while the application is ${this.#state()}${this.#state() === 'REBALANCING' ? ' (restoring or rebalancing; retry)' : ''}`,
        { context: { store: name } },
      );
    }
  }
}
