import { decodeCommitMetadata } from '../runtime/commit-metadata.js';
import type { Logger } from '../config/logger.js';
import type { KafkaAdmin } from '../kafka/kafka-admin.js';
import type { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import type { TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import type { CommitCoordinator } from '../runtime/commit-coordinator.js';
import type { TaskManager } from '../runtime/task-manager.js';
import type { ControlChannel } from './control-channel.js';
import { rewindMetadata } from './control-commands.js';
import type { RewindCommand } from './control-commands.js';

/** What the applier uses of the instance. */
export interface ControlHost {
  readonly logger: Logger;
  readonly tasks: TaskManager;
  /** The topology's source topics that are not the application's own (repartition topics are never rewound). */
  readonly inputTopics: ReadonlySet<string>;
  consumer(): KafkaConsumerClient;
  admin(): KafkaAdmin;
  committer(): CommitCoordinator;
  pause(): void;
  resume(): void;
}

const key = (p: TopicPartition): string => `${p.topic}\u0000${p.partition}`;

/**
 * Applies the application's control topic to one instance, between batches: the desired state (pause, resume) when
 * it changes, and a rewind to every owned input partition that has not had it yet — on the command's arrival and on
 * every later assignment. A partition has had it when its committed offset carries the command's id as metadata; the
 * id is written with the rewound offset (one commit, in a transaction under exactly-once) and carried on every later
 * commit, so a rebalance or a crash in the middle makes no partition rewind twice or not at all.
 */
export class ControlApplier {
  readonly #channel: ControlChannel;
  readonly #host: ControlHost;
  #seen = -1;
  #desiredAt: number | undefined;
  /** Commit metadata per owned partition: the rewind it has had. */
  readonly #metadata = new Map<string, string>();

  constructor(channel: ControlChannel, host: ControlHost) {
    this.#channel = channel;
    this.#host = host;
  }

  /** Whether the control topic changed since the last `apply()` (one comparison per batch). */
  get changed(): boolean {
    return this.#channel.version !== this.#seen;
  }

  /** The metadata to commit with a partition's offset. */
  metadataOf(topic: string, partition: number): string | undefined {
    return this.#metadata.get(key({ topic, partition }));
  }

  async apply(): Promise<void> {
    this.#seen = this.#channel.version;
    const desired = this.#channel.desiredState;
    if (desired && desired.at !== this.#desiredAt) {
      this.#desiredAt = desired.at;
      this.#host.logger.info(`application ${desired.paused ? 'paused' : 'resumed'} by ${desired.by} (control topic)`);
      if (desired.paused) this.#host.pause();
      else this.#host.resume();
    }
    const rewind = this.#channel.rewind;
    if (rewind)
      await this.#rewind(
        rewind,
        this.#host.tasks.all().flatMap((t) => t.inputPartitions()),
        true,
      );
  }

  /**
   * Partitions being assigned (before the consumer is): learn what rewind they had, and commit the current one where
   * it is missing, so the consumer starts at the rewound offsets.
   */
  async onAssigned(partitions: readonly TopicPartition[]): Promise<void> {
    const rewind = this.#channel.rewind;
    if (rewind) await this.#rewind(rewind, partitions, false);
  }

  /** Partitions given up. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#metadata.delete(key(p));
  }

  /** `reading`: the tasks reading the partitions are running and must be rebuilt to read from the new offsets. */
  async #rewind(command: RewindCommand, partitions: readonly TopicPartition[], reading: boolean): Promise<void> {
    const meta = rewindMetadata(command.id);
    const inputs = partitions.filter((p) => this.#host.inputTopics.has(p.topic) && this.#metadata.get(key(p)) !== meta);
    if (inputs.length === 0) return;
    const committed = await this.#host.consumer().committed(inputs);
    const todo: TopicPartition[] = [];
    for (const c of committed) {
      if (decodeCommitMetadata(c.metadata).rewind === meta) this.#metadata.set(key(c), meta);
      else todo.push({ topic: c.topic, partition: c.partition });
    }
    if (todo.length === 0) return;
    const targets = await this.#targets(command, todo);
    if (targets.length === 0) return;
    const offsets = targets.map((t) => ({ ...t, metadata: meta }));
    await this.#host.committer().moveCommittedOffsets(offsets, reading ? this.#host.tasks.reading(todo) : []);
    for (const o of offsets) this.#metadata.set(key(o), meta);
    this.#host.logger.info(
      `rewind ${command.id} by ${command.by} applied: ${offsets.map((o) => `${o.topic}-${o.partition} -> ${o.offset}`).join(', ')}`,
    );
  }

  async #targets(command: RewindCommand, partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const admin = this.#host.admin();
    const t = command.target;
    if (t.kind === 'offsets') {
      // Partitions the command does not name keep their position (and are not marked: nothing happened to them).
      return t.offsets
        .filter((o) => partitions.some((p) => key(p) === key(o)))
        .map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }));
    }
    if (t.kind === 'earliest') return admin.listOffsets(partitions, 'earliest');
    const byTime = await admin.listOffsets(partitions, { timestampMs: t.timestampMs });
    const missing = byTime.filter((o) => o.offset < 0);
    const ends = missing.length > 0 ? await admin.listOffsets(missing, 'latest') : [];
    // No record that new: the end of the partition.
    return byTime.map((o) => (o.offset >= 0 ? o : ends.find((e) => key(e) === key(o))!));
  }
}
