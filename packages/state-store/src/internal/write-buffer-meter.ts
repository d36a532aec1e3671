// The bytes a task's stores hold in their write buffers (everything written since the last commit), summed over all
// tables of the task. The runtime reads it between batches and commits early past a bound, so that memory does not
// grow with the commit interval or the number of distinct keys written in it.

/**
 * Approximate memory of one write-buffer entry beyond its key and value bytes: the map slot, the latin1 key string,
 * the entry object and two Buffer objects. V8 does not say; measured (heap after a full GC, 400 000 entries of 4-byte
 * keys and 8-byte values copied into the arena): 293 bytes an entry. It was 200, so the 64 MiB bound let ~90 MiB wait.
 */
export const BUFFER_ENTRY_OVERHEAD_BYTES = 300;

export class WriteBufferMeter {
  /** Estimated bytes held by the write buffers of the task's stores. */
  bytes = 0;
}

/** The estimated memory of one buffered write. */
export function bufferedWriteBytes(key: Buffer, value: Buffer | null): number {
  return key.length + (value === null ? 0 : value.length) + BUFFER_ENTRY_OVERHEAD_BYTES;
}
