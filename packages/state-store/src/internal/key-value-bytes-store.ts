// A key-value store in bytes: one table. The stored key is the serialized key itself (its byte order is the order of
// range scans), which is also the changelog key.
import type { BytesStore, ChangelogRecord } from './bytes-store.js';
import { withTimestampPrefix } from './bytes-store.js';
import type { RawIterator } from './raw-iterator.js';
import type { TableBackend } from './table-backend.js';
import type { TableConfig } from './table.js';
import { Table } from './table.js';

export class KeyValueBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent: boolean;
  readonly #table: Table;
  readonly #timestamped: boolean;

  constructor(name: string, backend: TableBackend, config: TableConfig, timestamped: boolean) {
    this.name = name;
    this.persistent = backend.persistent;
    this.#table = new Table(backend, config);
    this.#timestamped = timestamped;
  }

  get(key: Buffer): Buffer | undefined {
    return this.#table.get(key);
  }

  put(key: Buffer, value: Buffer | null, timestampMs: number): void {
    this.#table.put(key, value, timestampMs);
  }

  range(lo: Buffer | undefined, hi: Buffer | undefined, hiInclusive: boolean, reverse: boolean): RawIterator {
    return this.#table.range(lo, hi, hiInclusive, reverse);
  }

  approximateNumEntries(): number {
    return this.#table.approximateNumEntries();
  }

  get hasUncommittedWrites(): boolean {
    return this.#table.hasUncommittedWrites;
  }

  get needsCommit(): boolean {
    return this.#table.hasBufferedWrites;
  }

  flushCache(): void {
    this.#table.flushCache();
  }

  applyCommit(): void {
    this.#table.applyBuffer();
  }

  completeCommit(): void {
    this.#table.clearBuffer();
  }

  abort(): void {
    this.#table.clearCache();
    this.#table.clearBuffer();
  }

  restore(records: readonly ChangelogRecord[]): void {
    const backend = this.#table.backend;
    for (const record of records) {
      if (record.key === null) continue; // changelog records always have keys; nothing to apply otherwise
      const value =
        record.value === null
          ? null
          : this.#timestamped
            ? withTimestampPrefix(record.value, record.timestamp)
            : record.value;
      backend.write(record.key, value);
    }
  }

  clearCache(): void {
    this.#table.clearCache();
  }

  close(): void {
    this.#table.close();
  }
}
