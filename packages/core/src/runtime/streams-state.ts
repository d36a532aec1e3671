/**
 * Lifecycle of a `KafkaStreams` instance, as in Kafka Streams:
 * CREATED → REBALANCING ⇄ RUNNING → PENDING_SHUTDOWN → NOT_RUNNING, and → PENDING_ERROR → ERROR on a fatal error.
 *
 * @see org.apache.kafka.streams.KafkaStreams.State
 */
export type StreamsState =
  'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';

/** One transition, as the state listener and the `stateChanges` Observable report it. */
export interface StateChange {
  readonly from: StreamsState;
  readonly to: StreamsState;
}

const ALLOWED: { readonly [S in StreamsState]: readonly StreamsState[] } = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  REBALANCING: ['RUNNING', 'REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: ['PENDING_SHUTDOWN'],
};

export function isValidTransition(from: StreamsState, to: StreamsState): boolean {
  return ALLOWED[from].includes(to);
}
