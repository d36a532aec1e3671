// Remembers, beside an LMDB environment, whether its last owner closed it: `open` while a process uses it (with the
// number of opens in a row that found the previous owner dead), `closed` with the data file's size and modification
// time once it is closed cleanly. At the next open this tells a store that can be trusted as it is (closed cleanly,
// untouched since) from one that must be checked first (its owner died with it open, or the file changed while it
// was closed: damage from outside).
import fs from 'node:fs';
import path from 'node:path';

const FILE = 'kaskade-owner.json';

/** What the marker says about the previous owner, as seen at open. */
export type PreviousOwner =
  /** No data file: a new environment. */
  | { readonly kind: 'new' }
  /** Closed cleanly and the data file is as it was left. */
  | { readonly kind: 'clean' }
  /** Closed cleanly, but the data file changed since (or there is no marker for an existing data file). */
  | { readonly kind: 'changed'; readonly reason: string }
  /** The previous owner never closed it: it died while the environment was open (`crashes` opens in a row). */
  | { readonly kind: 'crashed'; readonly crashes: number };

interface Marker {
  readonly state: 'open' | 'closed';
  readonly crashes?: number;
  readonly size?: number;
  readonly mtimeMs?: number;
}

/** Reads the marker of the environment in `dir` (before opening it). */
export function previousOwner(dir: string): PreviousOwner {
  const data = statOrUndefined(path.join(dir, 'data.mdb'));
  if (data === undefined || data.size === 0) return { kind: 'new' };
  let marker: Marker;
  try {
    marker = JSON.parse(fs.readFileSync(path.join(dir, FILE), 'utf8')) as Marker;
  } catch {
    return { kind: 'changed', reason: 'it has no readable owner marker' };
  }
  if (marker.state === 'open') return { kind: 'crashed', crashes: (marker.crashes ?? 0) + 1 };
  if (marker.size !== data.size || marker.mtimeMs !== data.mtimeMs) {
    return { kind: 'changed', reason: 'its data file changed after it was closed' };
  }
  return { kind: 'clean' };
}

/**
 * Marks the environment in `dir` as open, counting `crashes` (opens in a row that found the previous owner dead).
 * Throws when the directory is not writable: a store there could not be used anyway.
 */
export function markOpen(dir: string, crashes: number): void {
  writeMarker(dir, { state: 'open', crashes });
}

/** Marks the environment in `dir` as closed cleanly, with its data file as it is now. Best effort. */
export function markClosed(dir: string): void {
  const data = statOrUndefined(path.join(dir, 'data.mdb'));
  if (data === undefined) return;
  try {
    writeMarker(dir, { state: 'closed', size: data.size, mtimeMs: data.mtimeMs });
  } catch {
    // A marker that stays `open` only costs a check at the next open.
  }
}

function writeMarker(dir: string, marker: Marker): void {
  // Written aside and renamed, so that a crash while writing never leaves half a marker.
  const file = path.join(dir, FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(marker));
  fs.renameSync(`${file}.tmp`, file);
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
