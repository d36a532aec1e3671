import { rmSync } from 'node:fs';
import { CorruptedStateError, parseTaskId } from '@kaskade/processor-api';
import type { StreamsConfig } from '../config/streams-config.js';
import { KafkaAdmin } from '../kafka/kafka-admin.js';
import { KafkaConsumerClient } from '../kafka/kafka-consumer-client.js';
import type { ConsumedMessage, TopicPartition, TopicPartitionOffset } from '../kafka/kafka-types.js';
import { checkChangelogTopicId, recordChangelogTopicIds } from './changelog-topic-ids.js';
import { checkChangelogContinuity } from './check-changelog-continuity.js';
import { placementMembers, standbyPlacement } from './standby-placement.js';
import { StandbyTask } from './standby-task.js';
import type { StreamTask } from './stream-task.js';

/** How often the placement is computed again from the group's assignment, besides after each rebalance. */
const REFRESH_MS = 2_000;
/** While the group is rebalancing (assignments not final): ask again soon. */
const UNSTABLE_RETRY_MS = 300;

/** What the standby tasks use of their thread. */
export interface StandbyTasksHost {
  readonly config: StreamsConfig;
  /** Source topic → the sub-topology that reads it. */
  readonly topicToSubtopology: ReadonlyMap<string, number>;
  /** The consumer's client id in the group, which names this instance in the group's description. */
  readonly clientId: string;
  /** Ids of the tasks active here now. */
  activeTaskIds(): string[];
  /** A task object for a sub-topology and partition, not registered as active (only its stores will be opened). */
  newTask(subtopology: number, partition: number): StreamTask;
  /** The logged stores' changelog topics of a sub-topology (none: it needs no standby). */
  changelogTopics(subtopology: number): readonly string[];
}

/**
 * This instance's standby tasks (`numStandbyReplicas`): which tasks it keeps warm copies of — computed from the
 * group's current assignment (the admin client's description of the group) with {@link standbyPlacement}, so never
 * on the task's owner — and a loop of their own that reads the changelogs (read_committed under exactly-once) with a
 * consumer outside the group and applies each batch with its offset. Runs beside the poll loop: it awaits per batch,
 * never per record, and the poll loop never waits for it. A task assigned here as active takes over the standby's
 * stores ({@link release}), so its restoration replays only the tail.
 *
 * @see org.apache.kafka.streams.processor.internals.StandbyTask
 */
export class StandbyTasks {
  readonly #host: StandbyTasksHost;
  readonly #standbys = new Map<string, StandbyTask>();
  /** `<topic>:<partition>` of a changelog → its standby. */
  readonly #byChangelog = new Map<string, StandbyTask>();
  #consumer: KafkaConsumerClient | undefined;
  #admin: KafkaAdmin | undefined;
  /**
   * Not before the first rebalance: the group may not exist yet, and describing a group that does not exist crashes
   * the process (a segmentation fault in @confluentinc/kafka-javascript 1.10.1's native describeGroups).
   */
  #nextRefreshAt = Number.POSITIVE_INFINITY;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Records applied by standbys already closed (the total never goes backwards). */
  #closedApplied = 0;

  constructor(host: StandbyTasksHost) {
    this.#host = host;
  }

  /** Starts the standby loop (once). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Computes the placement again at the next turn of the loop (the group's assignment changed). */
  refreshSoon(): void {
    this.#nextRefreshAt = 0;
    this.#wake?.();
  }

  /** Task ids this instance keeps standbys of, sorted. */
  ids(): string[] {
    return [...this.#standbys.keys()].sort();
  }

  /** Changelog records applied by the standbys, over the instance's lifetime. */
  get applied(): number {
    let n = this.#closedApplied;
    for (const s of this.#standbys.values()) n += s.applied;
    return n;
  }

  /** `<topic>-<partition>` of each standby changelog → the last offset its store reflects (-1: none). */
  offsets(): { [partition: string]: number } {
    return Object.assign({}, ...[...this.#standbys.values()].map((s) => s.offsets())) as { [p: string]: number };
  }

  /**
   * The task is becoming active here: its standby, if any, closes its stores (all applied records are committed) so
   * the active task opens them and restores from their offsets. Synchronous, between batches of the poll loop.
   */
  release(taskId: string): void {
    if (!this.#standbys.has(taskId)) return;
    this.#close([taskId]);
    this.#assign();
    this.refreshSoon();
  }

  /** Stops the loop and closes the standbys and clients. */
  async close(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    this.#close(this.ids());
    await this.#consumer?.disconnect().catch(() => undefined);
    this.#admin?.close();
  }

  async #run(): Promise<void> {
    const logger = this.#host.config.logger;
    while (!this.#stopped) {
      try {
        if (Date.now() >= this.#nextRefreshAt) await this.#refresh();
        if (this.#stopped) break;
        if (this.#standbys.size === 0 || !this.#consumer) {
          await this.#sleep(Math.min(REFRESH_MS, Math.max(10, this.#nextRefreshAt - Date.now())));
          continue;
        }
        this.#apply(await this.#consumer.consumeBatch(10_000));
      } catch (e) {
        // Standbys are an optimisation: a failure here never stops the instance. Try again later.
        logger.warn(`standby tasks: ${(e as Error).message}; trying again`);
        this.#nextRefreshAt = Date.now() + REFRESH_MS;
        await this.#sleep(REFRESH_MS);
      }
    }
  }

  async #refresh(): Promise<void> {
    const host = this.#host;
    this.#nextRefreshAt = Date.now() + REFRESH_MS;
    const admin = (this.#admin ??= KafkaAdmin.create(host.config.bootstrapServers, host.config.adminConfig));
    const members = placementMembers(await admin.describeGroup(host.config.applicationId), host.topicToSubtopology);
    if (members === undefined) {
      this.#nextRefreshAt = Date.now() + UNSTABLE_RETRY_MS;
      return;
    }
    const wanted = standbyPlacement(members, host.config.numStandbyReplicas, host.clientId, host.activeTaskIds());
    for (const id of wanted) if (host.changelogTopics(parseTaskId(id).subtopology).length === 0) wanted.delete(id);
    // A standby whose directory was deleted under it (a stateful rewind deletes the state of tasks not running here)
    // starts again from an empty store.
    const gone = this.ids().filter((id) => !wanted.has(id) || !this.#standbys.get(id)!.directoryExists());
    let changed = gone.length > 0;
    this.#close(gone);
    const fresh = [...wanted].filter((id) => !this.#standbys.has(id));
    if (fresh.length > 0) changed = (await this.#open(fresh)) || changed;
    if (changed) {
      this.#assign();
      host.config.logger.info(`standby tasks: ${this.ids().join(', ') || 'none'}`);
    }
  }

  /** Opens standbys of the tasks; returns whether any was opened. */
  async #open(ids: readonly string[]): Promise<boolean> {
    const host = this.#host;
    const cfg = host.config;
    const partitions: TopicPartition[] = ids.flatMap((id) => {
      const { subtopology, partition } = parseTaskId(id);
      return host.changelogTopics(subtopology).map((topic) => ({ topic, partition }));
    });
    const admin = this.#admin!;
    const isolation = cfg.processingGuarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
    const [low, high, topicIds] = await Promise.all([
      admin.listOffsets(partitions, 'earliest'),
      admin.listOffsets(partitions, 'latest', isolation),
      admin.topicIds([...new Set(partitions.map((p) => p.topic))]),
    ]);
    if (!this.#consumer) {
      const consumer = new KafkaConsumerClient({
        bootstrapServers: cfg.bootstrapServers,
        groupId: `${cfg.applicationId}-standby`,
        clientId: `${host.clientId}-standby`,
        isolationLevel: isolation,
        pollTimeoutMs: 200,
        config: { ...cfg.consumerConfig, 'fetch.max.bytes': 52_428_800, 'max.partition.fetch.bytes': 10_485_760 },
      });
      await consumer.connect();
      this.#consumer = consumer;
    }
    const bounds = new Map(partitions.map((p, i) => [`${p.topic}:${p.partition}`, [low[i]!.offset, high[i]!.offset]]));
    // From here on synchronous: a task that became active here while we waited is left alone.
    if (this.#stopped) return false;
    const active = new Set(host.activeTaskIds());
    let opened = false;
    for (const id of ids) {
      if (active.has(id) || this.#standbys.has(id)) continue;
      const task = this.#openStores(id, bounds, topicIds);
      if (task === undefined) continue;
      const starts: TopicPartitionOffset[] = task.stateManager!.changelogPartitions().map((cp) => {
        const lowOffset = bounds.get(`${cp.topic}:${cp.partition}`)![0]!;
        const offset = Math.max(cp.committedOffset === undefined ? lowOffset : cp.committedOffset + 1, lowOffset);
        return { topic: cp.topic, partition: cp.partition, offset };
      });
      const standby = new StandbyTask(task, starts);
      this.#standbys.set(id, standby);
      for (const s of starts) this.#byChangelog.set(`${s.topic}:${s.partition}`, standby);
      opened = true;
    }
    return opened;
  }

  /**
   * The task's stores opened and checked against their changelogs as a restoration checks them; stale state (a
   * changelog deleted, recreated or truncated) is wiped and the stores start empty.
   */
  #openStores(
    id: string,
    bounds: ReadonlyMap<string, number[]>,
    topicIds: ReadonlyMap<string, string>,
  ): StreamTask | undefined {
    const { subtopology, partition } = parseTaskId(id);
    for (let attempt = 0; attempt < 2; attempt++) {
      const task = this.#host.newTask(subtopology, partition);
      try {
        task.openStores();
        for (const cp of task.stateManager!.changelogPartitions()) {
          const [low, high] = bounds.get(`${cp.topic}:${cp.partition}`)!;
          checkChangelogContinuity(task, cp, low!, high!);
          checkChangelogTopicId(task, cp, topicIds);
        }
        recordChangelogTopicIds(task, topicIds);
        return task;
      } catch (e) {
        const dir = task.stateManager?.taskDir;
        task.close();
        if (!(e instanceof CorruptedStateError) || dir === undefined || attempt > 0) {
          this.#host.config.logger.warn(`standby task ${id}: ${(e as Error).message}; not kept`);
          return undefined;
        }
        this.#host.config.logger.warn(`standby task ${id}: ${e.message}; wiping it`);
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return undefined;
  }

  #close(ids: readonly string[]): void {
    for (const id of ids) {
      const standby = this.#standbys.get(id);
      if (!standby) continue;
      this.#standbys.delete(id);
      for (const p of standby.positions()) this.#byChangelog.delete(`${p.topic}:${p.partition}`);
      this.#closedApplied += standby.applied;
      try {
        standby.close();
      } catch (e) {
        this.#host.config.logger.warn(`closing standby task ${id} failed: ${(e as Error).message}`);
      }
    }
  }

  /** The consumer reads every standby changelog partition from where its store is. */
  #assign(): void {
    const consumer = this.#consumer;
    if (!consumer) return;
    const positions = [...this.#standbys.values()].flatMap((s) => s.positions());
    if (positions.length === 0) consumer.unassign([], 'EAGER');
    else consumer.assignAt(positions);
  }

  #apply(messages: readonly ConsumedMessage[]): void {
    if (messages.length === 0) return;
    // Consecutive records of one partition are applied together (one LMDB transaction per run).
    let start = 0;
    for (let i = 1; i <= messages.length; i++) {
      const m = messages[start]!;
      const next = messages[i];
      if (next !== undefined && next.topic === m.topic && next.partition === m.partition) continue;
      const standby = this.#byChangelog.get(`${m.topic}:${m.partition}`);
      // No standby: a record of a partition given up while it was being fetched.
      if (standby !== undefined) standby.apply(m.topic, m.partition, messages.slice(start, i));
      start = i;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }
}
