/**
 * What drives a punctuation: stream time (the largest record timestamp the task has seen) or the system clock.
 *
 * @see org.apache.kafka.streams.processor.PunctuationType
 */
export const PunctuationType = {
  STREAM_TIME: 'STREAM_TIME',
  WALL_CLOCK_TIME: 'WALL_CLOCK_TIME',
} as const;
export type PunctuationType = (typeof PunctuationType)[keyof typeof PunctuationType];

/** Called with the current stream time or wall-clock time (ms). Runs synchronously on the task's thread. */
export type Punctuator = (timestampMs: number) => void;

/** Handle to cancel a scheduled punctuation. */
export interface Cancellable {
  cancel(): void;
}
