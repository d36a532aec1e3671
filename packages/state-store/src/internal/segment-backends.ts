import { CorruptedStateError } from '@kaskade/processor-api';
import type { LmdbEnvironment } from './lmdb-environment.js';
import type { SegmentBackends } from './segmented-bytes-store.js';
import { MemoryTableBackend } from './table-backend.js';

/** LMDB DB name prefix of the segments of a window ('w') or session ('s') store. */
export function segmentNamePrefix(kind: 'w' | 's', storeName: string): string {
  return `${kind}:${storeName}:`;
}

/**
 * Segments as LMDB named DBs `<kind>:<store>:<segment start ms>` (Kafka Streams names segment directories
 * `<store>.<segment start>` likewise).
 */
export function lmdbSegments(
  env: LmdbEnvironment,
  kind: 'w' | 's',
  storeName: string,
  intervalMs: number,
): SegmentBackends {
  const prefix = segmentNamePrefix(kind, storeName);
  return {
    persistent: true,
    existing() {
      const ids: number[] = [];
      for (const name of env.tableNames(prefix)) {
        const rest = name.slice(prefix.length);
        if (!/^\d+$/.test(rest)) continue; // another store whose name extends this one's
        const start = Number(rest);
        if (start % intervalMs !== 0) {
          throw new CorruptedStateError(
            `store "${storeName}": segment ${name} does not fit the segment interval ${intervalMs} ms ` +
              `(was the interval changed?)`,
            { context: { store: storeName } },
          );
        }
        ids.push(start / intervalMs);
      }
      return ids;
    },
    open(id) {
      return env.table(prefix + String(id * intervalMs));
    },
  };
}

export const memorySegments: SegmentBackends = {
  persistent: false,
  existing: () => [],
  open: () => new MemoryTableBackend(),
};
