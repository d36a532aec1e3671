import { decodeCommitMetadata } from '../runtime/commit-metadata.js';
import { existingProcessorMetadata } from '../runtime/processor-metadata.js';
import type { Logger } from '../config/logger.js';
import type { KafkaAdmin } from '../kafka/kafka-admin.js';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import type { TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import type { CommitCoordinator } from '../runtime/commit-coordinator.js';
import type { StreamTask } from '../runtime/stream-task.js';
import type { TaskManager } from '../runtime/task-manager.js';
import type { ControlChannel } from './control-channel.js';
import { rewindMetadata } from './control-commands.js';
import type { RewindCommand } from './control-commands.js';
import { LocalStateWiper } from './local-state-wiper.js';

/** What the applier uses of the instance. */
export interface ControlHost {
  readonly logger: Logger;
  readonly tasks: TaskManager;
  /** The topology's source topics that are not the application's own (repartition topics are never rewound). */
  readonly inputTopics: ReadonlySet<string>;
  /** The topology's repartition source topics: a rewind with `state: 'rebuild'` skips them to where they were cut. */
  readonly repartitionTopics: ReadonlySet<string>;
  /** `<stateDir>/<applicationId>`, where the task directories are. */
  readonly appStateDir: string;
  consumer(): ConsumerClient;
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
 *
 * A pause is acknowledged on the control topic once the instance has committed what it processed, which is what a
 * stateful rewind (`state: 'rebuild'`) waits for. Such a rewind is applied per task: its stores are wiped, its input
 * partitions moved to the target and its repartition partitions to where the issuer cut them, all marked at once.
 */
export class ControlApplier {
  readonly #channel: ControlChannel;
  readonly #host: ControlHost;
  readonly #wiper: LocalStateWiper;
  #seen = -1;
  #desiredAt: number | undefined;
  /** Commit metadata per owned partition: the rewind it has had. */
  readonly #metadata = new Map<string, string>();

  constructor(channel: ControlChannel, host: ControlHost) {
    this.#channel = channel;
    this.#host = host;
    this.#wiper = new LocalStateWiper(host);
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
      if (desired.paused) {
        this.#host.pause();
        // Everything processed so far is committed (output, changelogs, repartition records) before saying so.
        if (this.#host.tasks.size > 0) await this.#host.committer().commit();
        await this.#channel.acknowledgePause(desired.at);
      } else this.#host.resume();
    }
    const rewind = this.#channel.rewind;
    if (!rewind) return;
    const owned = this.#host.tasks.all();
    if (rewind.state === 'rebuild') await this.#forgetStaleState(rewind, owned, true);
    await this.#rewind(
      rewind,
      owned.flatMap((t) => t.inputPartitions()),
      true,
    );
  }

  /**
   * Partitions being assigned (before the consumer is): learn what rewind they had, and commit the current one where
   * it is missing, so the consumer starts at the rewound offsets. Their tasks are open and restored already.
   */
  async onAssigned(partitions: readonly TopicPartition[]): Promise<void> {
    const rewind = this.#channel.rewind;
    if (!rewind) return;
    if (rewind.state === 'rebuild') await this.#forgetStaleState(rewind, this.#host.tasks.reading(partitions), false);
    await this.#rewind(rewind, partitions, false);
  }

  /** Partitions given up. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#metadata.delete(key(p));
  }

  #rewound(command: RewindCommand): (p: TopicPartition) => boolean {
    const { inputTopics, repartitionTopics } = this.#host;
    return command.state === 'rebuild'
      ? (p) => inputTopics.has(p.topic) || repartitionTopics.has(p.topic)
      : (p) => inputTopics.has(p.topic);
  }

  /**
   * The first time this instance sees a stateful rewind: local state it holds for tasks it does not run is deleted
   * (it predates the cut), and tasks it runs that another instance already rebuilt — restored here from local state
   * that may predate the cut — are wiped and restored from their changelogs again.
   */
  async #forgetStaleState(command: RewindCommand, tasks: readonly StreamTask[], reading: boolean): Promise<void> {
    if (this.#wiper.hasSeen(command.id)) return;
    this.#wiper.deleteUnowned(new Set(this.#host.tasks.ids()));
    const meta = rewindMetadata(command.id);
    const rewound = this.#rewound(command);
    const partitions = tasks.flatMap((t) => t.inputPartitions()).filter(rewound);
    const committed = partitions.length > 0 ? await this.#host.consumer().committed(partitions) : [];
    const marked = new Set(committed.filter((c) => c.metadata === meta).map(key));
    const rebuiltElsewhere = tasks.filter((t) => {
      const own = t.inputPartitions().filter(rewound);
      return own.length > 0 && own.every((p) => marked.has(key(p)));
    });
    if (rebuiltElsewhere.length > 0) {
      const fresh = await this.#wiper.wipe(rebuiltElsewhere, `rebuilt by rewind ${command.id} on another instance`);
      const same = committed
        .filter((c) => marked.has(key(c)))
        .map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset, metadata: meta }));
      // Reading: the fresh tasks read on from the committed offsets (committed again, unchanged).
      if (reading) await this.#host.committer().moveCommittedOffsets(same, fresh);
      for (const c of same) this.#metadata.set(key(c), meta);
    }
    this.#wiper.markSeen(command.id);
  }

  /** `reading`: the tasks reading the partitions are running and must be rebuilt to read from the new offsets. */
  async #rewind(command: RewindCommand, partitions: readonly TopicPartition[], reading: boolean): Promise<void> {
    const meta = rewindMetadata(command.id);
    const rewound = this.#rewound(command);
    const candidates = partitions.filter((p) => rewound(p) && this.#metadata.get(key(p)) !== meta);
    if (candidates.length === 0) return;
    const committed = await this.#host.consumer().committed(candidates);
    let todo: TopicPartition[] = [];
    for (const c of committed) {
      if (decodeCommitMetadata(c.metadata).rewind === meta) this.#metadata.set(key(c), meta);
      else todo.push({ topic: c.topic, partition: c.partition });
    }
    if (todo.length === 0) return;
    const rebuild = command.state === 'rebuild';
    let tasks = reading || rebuild ? this.#host.tasks.reading(todo) : [];
    if (rebuild) {
      // A task is rebuilt as a whole: every partition it reads is moved and marked with its wiped stores.
      const all = tasks.flatMap((t) => t.inputPartitions()).filter(rewound);
      const known = new Map((await this.#host.consumer().committed(all)).map((c) => [key(c), c.offset]));
      todo = all;
      tasks = await this.#wiper.wipe(tasks, `rewind ${command.id} with state 'rebuild'`);
      const targets = await this.#targets(command, todo, known);
      await this.#commit(command, targets, reading ? tasks : []);
      return;
    }
    const targets = await this.#targets(command, todo, new Map());
    await this.#commit(command, targets, tasks);
    if (!reading && targets.length > 0) await this.#restartProcessors(todo);
  }

  /**
   * Partitions being assigned and rewound: their tasks are open already, their processors initialized with the
   * processor metadata committed before the rewind (e.g. the window-close time emitted up to). A rewind is a
   * reprocess, so that progress does not hold: the tasks that have such metadata are reopened (their state kept) and
   * start from the rewound commit, which carries none — as running tasks do when they are rebuilt for a rewind.
   */
  async #restartProcessors(partitions: readonly TopicPartition[]): Promise<void> {
    const stale = this.#host.tasks.reading(partitions).filter((t) => (existingProcessorMetadata(t)?.size ?? 0) > 0);
    if (stale.length === 0) return;
    const fresh = stale.map((t) => this.#host.tasks.reopen(t));
    await this.#host.tasks.restoreAndInitialize(fresh);
  }

  async #commit(command: RewindCommand, targets: readonly TopicPartitionOffset[], tasks: StreamTask[]): Promise<void> {
    if (targets.length === 0) return;
    const meta = rewindMetadata(command.id);
    const offsets = targets.map((t) => ({ ...t, metadata: meta }));
    await this.#host.committer().moveCommittedOffsets(offsets, tasks);
    for (const o of offsets) this.#metadata.set(key(o), meta);
    this.#host.logger.info(
      `rewind ${command.id} by ${command.by}${command.state === 'rebuild' ? ' (state rebuilt)' : ''} applied: ` +
        offsets.map((o) => `${o.topic}-${o.partition} -> ${o.offset}`).join(', '),
    );
  }

  /**
   * Where each partition goes. `committed`: the partitions' committed offsets, for a rebuild — a partition the
   * command's explicit offsets do not name stays there (and is marked, its task having been rebuilt).
   */
  async #targets(
    command: RewindCommand,
    partitions: readonly TopicPartition[],
    committed: ReadonlyMap<string, number>,
  ): Promise<TopicPartitionOffset[]> {
    const admin = this.#host.admin();
    const inputs = partitions.filter((p) => this.#host.inputTopics.has(p.topic));
    const internal = partitions.filter((p) => !this.#host.inputTopics.has(p.topic));
    const out: TopicPartitionOffset[] = [];
    if (internal.length > 0) {
      // Where the issuer cut them; the log start (the cut, after deleteRecords) for one it did not list.
      const cut = new Map((command.internalOffsets ?? []).map((o) => [key(o), o.offset]));
      const missing = internal.filter((p) => !cut.has(key(p)));
      const starts = missing.length > 0 ? await admin.listOffsets(missing, 'earliest') : [];
      for (const s of starts) cut.set(key(s), s.offset);
      for (const p of internal) out.push({ topic: p.topic, partition: p.partition, offset: cut.get(key(p))! });
    }
    if (inputs.length === 0) return out;
    const t = command.target;
    if (t.kind === 'offsets') {
      const unplaced: TopicPartition[] = [];
      for (const p of inputs) {
        const named = t.offsets.find((o) => key(o) === key(p));
        const at = named?.offset ?? committed.get(key(p));
        // Partitions the command does not name keep their position (and, without a rebuild, are not marked).
        if (at !== undefined && at >= 0) out.push({ topic: p.topic, partition: p.partition, offset: at });
        else if (command.state === 'rebuild') unplaced.push(p);
      }
      // A rebuilt task's partition with no position yet starts where a new application would: at the earliest.
      return unplaced.length > 0 ? [...out, ...(await admin.listOffsets(unplaced, 'earliest'))] : out;
    }
    if (t.kind === 'earliest') return [...out, ...(await admin.listOffsets(inputs, 'earliest'))];
    const byTime = await admin.listOffsets(inputs, { timestampMs: t.timestampMs });
    const missing = byTime.filter((o) => o.offset < 0);
    const ends = missing.length > 0 ? await admin.listOffsets(missing, 'latest') : [];
    // No record that new: the end of the partition.
    return [...out, ...byTime.map((o) => (o.offset >= 0 ? o : ends.find((e) => key(e) === key(o))!))];
  }
}
