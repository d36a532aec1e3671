import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A key-value store's approximate entry count; undefined for other stores or a store closed meanwhile. */
export function approximateEntries(store: unknown): number | undefined {
  const s = store as { approximateNumEntries?: () => number } | undefined;
  if (typeof s?.approximateNumEntries !== 'function') return undefined;
  try {
    return s.approximateNumEntries();
  } catch {
    // A store closed between listing and reading (a task migrating): no value this scrape.
    return undefined;
  }
}

/** Bytes of the files under a directory (a task's LMDB files); 0 when it is gone. */
export function directoryBytes(dir: string): number {
  let total = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      total += entry.isDirectory() ? directoryBytes(p) : statSync(p).size;
    }
  } catch {
    // The directory went away (task closed and cleaned) between listing and reading.
  }
  return total;
}
