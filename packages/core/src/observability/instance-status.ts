import type { StreamsMetrics } from '../runtime/kafka-streams.js';
import type { StreamsState } from '../runtime/streams-state.js';
import type { Topology } from '../topology/topology.js';
import type { ClientStatistics } from './client-statistics.js';
import { forEachPartition } from './partition-lag.js';
import { approximateEntries } from './store-sizes.js';
import type { ObservedInstance } from './observed-instance.js';
import { RestoreProgressTracker } from './restore-progress-tracker.js';

/** One input partition of a task. */
export interface PartitionStatusJson {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to process (-1 while unknown). */
  readonly position: number;
  /** End offset the consumer last saw (-1 while unknown). */
  readonly endOffset: number;
  /** Records not yet processed; null while unknown (before the first librdkafka statistics). */
  readonly lag: number | null;
  readonly buffered: number;
}

/** One active task of the instance. */
export interface TaskStatusJson {
  readonly id: string;
  readonly subtopology: number;
  readonly partitions: readonly PartitionStatusJson[];
  readonly processed: number;
  readonly produced: number;
  readonly punctuations: number;
  readonly dropped: number;
  readonly stores: readonly { readonly name: string; readonly entries: number | null }[];
}

/** One restoration (latest per changelog partition). */
export interface RestoreStatusJson {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly restored: number;
  readonly remaining: number;
  readonly recordsPerSecond: number;
  readonly done: boolean;
}

/** A node of the topology graph. */
export interface TopologyNodeJson {
  readonly name: string;
  readonly kind: 'source' | 'processor' | 'sink';
  readonly subtopology: number;
  readonly topics?: readonly string[];
  readonly topic?: string;
  readonly children: readonly string[];
  readonly stores: readonly string[];
}

/** What `/api/status` answers. */
export interface InstanceStatusJson {
  readonly applicationId: string;
  readonly instanceId: string;
  readonly state: StreamsState;
  readonly paused: boolean;
  readonly ready: boolean;
  readonly timeMs: number;
  readonly totals: StreamsMetrics;
  readonly tasks: readonly TaskStatusJson[];
  readonly restoration: readonly RestoreStatusJson[];
  readonly topology: { readonly description: string; readonly nodes: readonly TopologyNodeJson[] };
}

/** Ready (Kubernetes' readiness): RUNNING with every restoration finished. */
export function isReady(instance: ObservedInstance, restore: RestoreProgressTracker): boolean {
  return instance.state() === 'RUNNING' && restore.all().every((r) => r.endedAtMs !== undefined);
}

/** The status of an instance as JSON-ready data. Called per request, never by the processing loop. */
export function instanceStatus(
  instance: ObservedInstance,
  statistics: ClientStatistics,
  restore: RestoreProgressTracker,
): InstanceStatusJson {
  const now = Date.now();
  const byTask = new Map<string, PartitionStatusJson[]>();
  const tasks = instance.tasks();
  for (const t of tasks) {
    const partitions: PartitionStatusJson[] = [];
    byTask.set(t.idString, partitions);
    const one = { instance: { ...instance, tasks: () => [t] }, statistics };
    forEachPartition(one, (topic, partition, lag, position, endOffset) => {
      const buffered = t.queueFor(topic)?.buffered ?? 0;
      partitions.push({ topic, partition, position, endOffset, lag: lag ?? null, buffered });
    });
  }
  return {
    applicationId: instance.applicationId,
    instanceId: instance.instanceId,
    state: instance.state(),
    paused: instance.isPaused(),
    ready: isReady(instance, restore),
    timeMs: now,
    totals: instance.totals(),
    tasks: tasks.map((t) => ({
      id: t.idString,
      subtopology: t.id.subtopology,
      partitions: byTask.get(t.idString) ?? [],
      processed: t.metrics.processed,
      produced: t.metrics.produced,
      punctuations: t.metrics.punctuations,
      dropped: t.metrics.droppedRecords,
      stores: (t.stateManager?.storeNames() ?? []).map((name) => ({
        name,
        entries: approximateEntries(t.store(name)) ?? null,
      })),
    })),
    restoration: restore.all().map((r) => ({
      store: r.storeName,
      topic: r.topic,
      partition: r.partition,
      startOffset: r.startOffset,
      endOffset: r.endOffset,
      restored: r.restored,
      remaining: RestoreProgressTracker.remaining(r),
      recordsPerSecond: RestoreProgressTracker.rate(r, now),
      done: r.endedAtMs !== undefined,
    })),
    topology: topologyJson(instance.topology),
  };
}

/** The topology as a node list with edges, for the dashboard's graph (the text is Kafka Streams' format). */
export function topologyJson(topology: Topology): InstanceStatusJson['topology'] {
  const nodes: TopologyNodeJson[] = [];
  for (const sub of topology.subtopologies()) {
    for (const node of sub.nodes) {
      const base = {
        name: node.name,
        kind: node.kind,
        subtopology: sub.id,
        children: [...topology.childrenOf(node.name)],
        stores: node.kind === 'processor' ? [...topology.storesOf(node.name)] : [],
      };
      if (node.kind === 'source') nodes.push({ ...base, topics: [...node.topics] });
      else if (node.kind === 'sink')
        nodes.push({ ...base, topic: typeof node.topic === 'string' ? node.topic : '(extractor)' });
      else nodes.push(base);
    }
  }
  return { description: topology.describe().toString(), nodes };
}
