import type { ConsumerClient } from '../kafka/consumer-client.js';
import { retryKafka } from '../kafka/retry-kafka.js';
import type { Logger } from '../config/logger.js';
import { ProcessorMetadata, existingProcessorMetadata, processorMetadataOf } from './processor-metadata.js';
import type { StreamTask } from './stream-task.js';

/**
 * What a committed offset's metadata string carries: the application-control rewind the partition has had
 * (`kaskade-rewind:<id>`) and the task's processor metadata (`kaskade-pm:{...}`), on separate lines, either
 * missing. A metadata string of an older Kaskade (the rewind alone) reads the same as before.
 */
export interface CommitMetadata {
  readonly rewind: string | undefined;
  readonly processor: string | undefined;
}

const PROCESSOR_PREFIX = 'kaskade-pm:';

export function encodeCommitMetadata(rewind: string | undefined, processor: string | undefined): string | undefined {
  if (processor === undefined) return rewind;
  return rewind === undefined ? `${PROCESSOR_PREFIX}${processor}` : `${rewind}\n${PROCESSOR_PREFIX}${processor}`;
}

export function decodeCommitMetadata(metadata: string | undefined): CommitMetadata {
  if (metadata === undefined || metadata === '') return { rewind: undefined, processor: undefined };
  const at = metadata.startsWith(PROCESSOR_PREFIX) ? 0 : metadata.indexOf(`\n${PROCESSOR_PREFIX}`);
  if (at < 0) return { rewind: metadata, processor: undefined };
  const rewind = at === 0 ? undefined : metadata.slice(0, at);
  const processor = metadata.slice(at === 0 ? PROCESSOR_PREFIX.length : at + 1 + PROCESSOR_PREFIX.length);
  return { rewind, processor };
}

/** The metadata to commit with one of a task's offsets: the partition's rewind and the task's processor metadata. */
export function commitMetadataFor(task: StreamTask, rewind: string | undefined): string | undefined {
  const pm = existingProcessorMetadata(task);
  return encodeCommitMetadata(rewind, pm !== undefined && pm.size > 0 ? pm.encode() : undefined);
}

/**
 * Reads the processor metadata committed with the tasks' input offsets into the new tasks, before their processors
 * are initialized (one `committed` call for all of them, none when they are all stateless).
 */
export async function loadProcessorMetadata(
  tasks: readonly StreamTask[],
  consumer: ConsumerClient,
  logger: Logger,
): Promise<void> {
  // Only stateful processors (the windowed aggregations) keep processor metadata: stateless tasks skip the look-up.
  const partitions = tasks.filter((t) => t.subtopology.storeNames.length > 0).flatMap((t) => t.inputPartitions());
  if (partitions.length === 0) return;
  const committed = await retryKafka('committed', () => consumer.committed(partitions), { logger });
  for (const c of committed) {
    const { processor } = decodeCommitMetadata(c.metadata);
    if (processor === undefined) continue;
    const task = tasks.find((t) => t.inputPartitions().some((p) => p.topic === c.topic && p.partition === c.partition));
    if (task !== undefined) processorMetadataOf(task).update(ProcessorMetadata.decode(processor));
  }
}
