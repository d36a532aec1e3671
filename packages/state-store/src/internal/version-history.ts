// A key's versions in one stored value, newest first: [count u32] then per version [validFrom int64][length int32,
// -1 for a tombstone][value bytes]. Kept bounded by pruning what the history retention no longer lets anyone read.

/** One version: valid from `timestamp` until the next newer version's timestamp. */
export interface Version {
  readonly timestamp: number;
  /** Serialized value; null for a tombstone. */
  readonly value: Buffer | null;
}

export function decodeHistory(bytes: Buffer | undefined): Version[] {
  if (bytes === undefined) return [];
  const count = bytes.readUInt32BE(0);
  const out: Version[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    const timestamp = Number(bytes.readBigInt64BE(at));
    const length = bytes.readInt32BE(at + 8);
    at += 12;
    out.push({ timestamp, value: length < 0 ? null : bytes.subarray(at, at + length) });
    if (length > 0) at += length;
  }
  return out;
}

export function encodeHistory(versions: readonly Version[]): Buffer {
  let size = 4;
  for (const v of versions) size += 12 + (v.value?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(versions.length, 0);
  let at = 4;
  for (const v of versions) {
    out.writeBigInt64BE(BigInt(v.timestamp), at);
    out.writeInt32BE(v.value === null ? -1 : v.value.length, at + 8);
    at += 12;
    if (v.value !== null) at += v.value.copy(out, at);
  }
  return out;
}

/**
 * Inserts (or replaces, at an equal timestamp) a version into a newest-first history; returns the index it took.
 */
export function insertVersion(versions: Version[], version: Version): number {
  let i = 0;
  while (i < versions.length && versions[i]!.timestamp > version.timestamp) i++;
  if (i < versions.length && versions[i]!.timestamp === version.timestamp) versions[i] = version;
  else versions.splice(i, 0, version);
  return i;
}

/**
 * Drops versions nobody can read any more: those whose validity ended at or before `horizon` (observed stream time −
 * history retention), and a latest tombstone older than it. Returns whether anything is left.
 */
export function prune(versions: Version[], horizon: number): boolean {
  // versions[i] is valid until versions[i - 1].timestamp: drop every older one once that end is <= horizon.
  for (let i = 1; i < versions.length; i++) {
    if (versions[i - 1]!.timestamp <= horizon) {
      versions.length = i;
      break;
    }
  }
  const latest = versions[0];
  if (versions.length === 1 && latest!.value === null && latest!.timestamp < horizon) versions.length = 0;
  return versions.length > 0;
}

/** The index of the version valid at `asOf` (the newest with timestamp <= asOf), or -1. */
export function versionAt(versions: readonly Version[], asOf: number): number {
  for (let i = 0; i < versions.length; i++) if (versions[i]!.timestamp <= asOf) return i;
  return -1;
}
