import { existsSync } from 'node:fs';
import type { RestoreRecord } from '@kaskade/state-store/internal';
import type { ConsumedMessage, TopicPartitionOffset } from '../kafka/kafka-types.js';
import type { StreamTask } from './stream-task.js';

/**
 * A warm copy of another instance's task: the task's stores, opened in this instance's state directory (where the
 * task's active stores would be), kept up to date from their changelogs. Never processes: its processors are never
 * initialized and it writes nothing to Kafka. Each batch of changelog records goes into LMDB together with its offset
 * (the restorer's path, one transaction), so when the task becomes active here its restoration starts after that
 * offset and replays only the tail.
 *
 * @see org.apache.kafka.streams.processor.internals.StandbyTask
 */
export class StandbyTask {
  readonly task: StreamTask;
  /** `<topic>:<partition>` → the next changelog offset to apply. */
  readonly #next = new Map<string, number>();
  /** Changelog records applied since the standby was opened. */
  applied = 0;

  /** `task` has its stores open (and only them); `starts` is where each changelog partition is read from. */
  constructor(task: StreamTask, starts: readonly TopicPartitionOffset[]) {
    this.task = task;
    for (const s of starts) this.#next.set(`${s.topic}:${s.partition}`, s.offset);
  }

  get id(): string {
    return this.task.idString;
  }

  /** The changelog partitions and where to read each from now. */
  positions(): TopicPartitionOffset[] {
    return [...this.#next].map(([key, offset]) => {
      const i = key.lastIndexOf(':');
      return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)), offset };
    });
  }

  /** `<topic>-<partition>` → the last changelog offset the stores reflect (-1: none yet). */
  offsets(): { [partition: string]: number } {
    const out: { [partition: string]: number } = {};
    for (const p of this.positions()) out[`${p.topic}-${p.partition}`] = p.offset - 1;
    return out;
  }

  /**
   * Applies records of one changelog partition, in offset order, in one LMDB transaction with the last offset.
   * Records already applied are skipped: after the consumer is re-assigned it may deliver some again.
   */
  apply(topic: string, partition: number, records: readonly ConsumedMessage[]): void {
    const key = `${topic}:${partition}`;
    const next = this.#next.get(key);
    if (next === undefined) return;
    let from = 0;
    while (from < records.length && records[from]!.offset < next) from++;
    if (from === records.length) return;
    const fresh = from === 0 ? records : records.slice(from);
    // Changelog records always have a key and a timestamp: the consumed messages are handed over as they are.
    this.task.stateManager!.restoreBatch(topic, partition, fresh as unknown as readonly RestoreRecord[]);
    this.#next.set(key, fresh[fresh.length - 1]!.offset + 1);
    this.applied += fresh.length;
  }

  /** False once the task's state directory has been deleted under the open stores. */
  directoryExists(): boolean {
    const dir = this.task.stateManager?.taskDir;
    return dir === undefined || existsSync(dir);
  }

  /** Closes the stores (cleanly: what was applied is committed, so the next open trusts the files). */
  close(): void {
    this.task.close();
  }
}
