import type { StreamsMetrics } from '../runtime/kafka-streams.js';
import type { StreamTask } from '../runtime/stream-task.js';
import type { StreamsState } from '../runtime/streams-state.js';
import type { Topology } from '../topology/topology.js';

/**
 * What observability reads of a running instance. `KafkaStreams` provides it; everything is read at scrape or
 * request time, never pushed from the processing loop.
 */
export interface ObservedInstance {
  readonly applicationId: string;
  readonly instanceId: string;
  readonly topology: Topology;
  readonly readCommitted: boolean;
  state(): StreamsState;
  isPaused(): boolean;
  totals(): StreamsMetrics;
  tasks(): readonly StreamTask[];
  pause(): void;
  resume(): void;
}
