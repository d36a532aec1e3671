// @kaskade/state-store — LMDB and in-memory stores and the Stores factory: what applications write code against. The
// builders' classes, change logging, the record cache and the commit protocol (TaskStateManager) are behind
// `@kaskade/state-store/internal`, for Kaskade's own packages only.
export { Stores } from './stores.js';
export type {
  KeyValueBytesStoreSupplier,
  WindowBytesStoreSupplier,
  SessionBytesStoreSupplier,
  VersionedBytesStoreSupplier,
  WindowStoreOptions,
  SessionStoreOptions,
} from './store-suppliers.js';
export { valueAndTimestamp } from './value-and-timestamp-serde.js';
