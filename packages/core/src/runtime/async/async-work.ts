import type { Record } from '@kaskade/processor-api';
import type { InFlightRecord } from './in-flight-record.js';

/** The node side of a piece of work, as the task's runner sees it. */
export interface AsyncWorkNode {
  readonly name: string;
  /** Forwards one result downstream (in the task's current context). */
  forward(record: Record<unknown, unknown>): void;
  /** The work was applied (forwarded or handed to the exception handler). */
  applied(work: AsyncWork): void;
}

/** One call of an asynchronous operator for one record. */
export interface AsyncWork {
  readonly node: AsyncWorkNode;
  readonly record: Record<unknown, unknown>;
  readonly keyId: unknown;
  /** The source record it belongs to; undefined for records forwarded by a punctuation. */
  readonly source: InFlightRecord | undefined;
  /** The task's record timestamp when the work was submitted (stream time of a punctuation). */
  readonly timestamp: number;
  outputs: readonly Record<unknown, unknown>[] | undefined;
  error: Error | undefined;
}
