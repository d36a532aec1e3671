import type { TopicPartition } from '../kafka/kafka-types.js';

/** Where the reset tool moves each input partition's committed offset. */
export type ResetTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  /** The first offset whose timestamp is at or after `timestampMs` (the end when there is none). */
  | { readonly kind: 'timestamp'; readonly timestampMs: number }
  /** The same offset in every partition, kept within the partition's earliest and latest offsets. */
  | { readonly kind: 'offset'; readonly offset: number }
  /** The committed offset moved by `by` (negative: back), kept within earliest and latest. */
  | { readonly kind: 'shift'; readonly by: number }
  /** Explicit offsets per partition (partitions not listed keep their committed offset). */
  | { readonly kind: 'explicit'; readonly offsets: readonly (TopicPartition & { readonly offset: number })[] };

/** What the broker reports of one partition, as the plan needs it. */
export interface PartitionOffsets extends TopicPartition {
  /** The group's committed offset (next offset to read), undefined when it has none. */
  readonly committed: number | undefined;
  readonly earliest: number;
  readonly latest: number;
  /** For a timestamp target: the broker's answer (-1 when no record is that new). */
  readonly byTimestamp?: number;
}

/**
 * The new committed offset of one partition for a target, or undefined to leave it alone. Offsets are kept within
 * [earliest, latest] as Kafka's own reset tools do, so a reset never points at offsets that no longer (or not yet)
 * exist.
 */
export function targetOffset(target: ResetTarget, p: PartitionOffsets): number | undefined {
  const clamp = (o: number): number => Math.min(Math.max(o, p.earliest), p.latest);
  switch (target.kind) {
    case 'earliest':
      return p.earliest;
    case 'latest':
      return p.latest;
    case 'timestamp':
      return p.byTimestamp === undefined || p.byTimestamp < 0 ? p.latest : clamp(p.byTimestamp);
    case 'offset':
      return clamp(target.offset);
    case 'shift':
      // Without a committed offset the application would start from its reset policy; shift from the start, as
      // Kafka's consumer-groups tool does with auto.offset.reset=earliest.
      return clamp((p.committed ?? p.earliest) + target.by);
    case 'explicit': {
      const e = target.offsets.find((o) => o.topic === p.topic && o.partition === p.partition);
      return e === undefined ? undefined : clamp(e.offset);
    }
  }
}
