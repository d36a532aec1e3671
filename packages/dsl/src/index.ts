// @kaskade/dsl — the high-level DSL (StreamsBuilder, KStream, KTable, windows, joins), compiled to a core Topology.
// Every public name is listed here.

export { StreamsBuilder } from './streams-builder.js';

// Handles
export type { KStream } from './kstream.js';
export type { KTable } from './ktable.js';
export type { GlobalKTable } from './global-ktable.js';
export type { BranchedKStream } from './branched-kstream.js';
export type { CogroupedKStream } from './cogrouped-kstream.js';
export type { KGroupedStream } from './kgrouped-stream.js';
export type { SessionWindowedCogroupedKStream } from './session-windowed-cogrouped-kstream.js';
export type { TimeWindowedCogroupedKStream } from './time-windowed-cogrouped-kstream.js';
export type { KGroupedTable } from './kgrouped-table.js';
export type { TimeWindowedKStream } from './time-windowed-kstream.js';
export type { SessionWindowedKStream } from './session-windowed-kstream.js';

// Function types
export type {
  Predicate,
  KeyValueMapper,
  ValueMapper,
  ValueJoiner,
  Reducer,
  Initializer,
  Aggregator,
  Merger,
  ForeachAction,
} from './functions.js';
export type { AsyncPredicate, AsyncValueMapper } from './async-functions.js';

// Parameter objects
export { Named } from './named.js';
export { Consumed } from './consumed.js';
export { Produced } from './produced.js';
export { Grouped } from './grouped.js';
export { Materialized } from './materialized.js';
export type { MaterializedStoreSupplier, MaterializedStoreType } from './materialized.js';
export { Joined } from './joined.js';
export { StreamJoined } from './stream-joined.js';
export { Repartitioned } from './repartitioned.js';
export { Branched } from './branched.js';
export { Suppressed } from './suppressed.js';
export { BufferConfig } from './buffer-config.js';
export type { BufferFullStrategy } from './buffer-config.js';
export { EmitStrategy } from './emit-strategy.js';
export type { WindowCloseOptions } from './emit-strategy.js';
export type { DeduplicateOptions, DeduplicationId } from './deduplicate-options.js';

// Claim check
export type { ClaimCheckOptions, ResolveClaimCheckOptions } from './claim-check-options.js';
export { ClaimCheckError, CLAIM_CHECK_HEADER } from './claim-check-options.js';
export type { BlobStore } from './blob-store.js';
export { LocalDirectoryBlobStore } from './local-directory-blob-store.js';
export { S3BlobStore } from './s3-blob-store.js';
export type { S3BlobStoreOptions, S3ClientLike } from './s3-blob-store.js';

// Windows
export { TimeWindows } from './time-windows.js';
export { SlidingWindows } from './sliding-windows.js';
export { SessionWindows } from './session-windows.js';
export { JoinWindows } from './join-windows.js';
export { WindowedSerdes, TimeWindowedSerde, SessionWindowedSerde } from './windowed-serdes.js';
