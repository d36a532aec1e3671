import type { AsyncProcessingOptions, Serde } from '@kaskade/processor-api';
import { StreamsError } from '@kaskade/processor-api';
import type { BlobStore } from './blob-store.js';

/** The header that marks a claim-checked record; its value is the format (`sha256`), the record's value the name. */
export const CLAIM_CHECK_HEADER = 'kaskade.claim-check';

/** Options of `KStream.claimCheck`. */
export interface ClaimCheckOptions<V> {
  /** Where values over the threshold go. */
  readonly store: BlobStore;
  /** The topic the stream is written to: the serde's topic, and the blobs' name prefix (so sweeps are per topic). */
  readonly topic: string;
  /** Serialized values longer than this many bytes go to the store; shorter ones stay in the record. */
  readonly thresholdBytes: number;
  /** Serializes the values; default the stream's value serde, if it is known. */
  readonly valueSerde?: Serde<V>;
  /**
   * The topic's `retention.ms`: blobs of this topic last written longer ago are deleted by a sweep that runs in each
   * instance, every `sweepIntervalMs`. Without it, no sweep runs (delete them with `BlobStore.deleteOlderThan`).
   */
  readonly retentionMs?: number;
  /** Default: a tenth of `retentionMs`, between 1 second and 10 minutes. */
  readonly sweepIntervalMs?: number;
  /** The uploads' concurrency, timeout and retries (default 3 retries). */
  readonly async?: AsyncProcessingOptions;
}

/** Options of `KStream.resolveClaimCheck`. */
export interface ResolveClaimCheckOptions<V> {
  /** The store the writing side's `claimCheck` used. */
  readonly store: BlobStore;
  /** The topic the records were read from (the serde's topic). */
  readonly topic: string;
  /** Deserializes the values (inline or downloaded). */
  readonly valueSerde: Serde<V>;
  /** The downloads' concurrency, timeout and retries (default 3 retries). */
  readonly async?: AsyncProcessingOptions;
}

/** A claim check cannot store or find a blob, or was given a bad name or option. */
export class ClaimCheckError extends StreamsError {
  override readonly code: string = 'KASKADE_CLAIM_CHECK_ERROR';
}
