// Owned copies of the keys and values a write buffer keeps until the commit. A small Buffer from `Buffer.allocUnsafe`
// (a serde's output, an encoded window key) is a slice of a shared 8 KiB pool block, and so is a key read from a
// consumed batch (a view of the batch): keeping it keeps the whole block alive. Between two commits a write buffer
// keeps hundreds of thousands of them while the blocks' other slices are long garbage — measured, the windowed count
// held 224 MB of array buffers for a write buffer accounted at under 64 MiB. Copied into chunks of its own, a buffer's
// memory is what it accounts, and all of it is released together when the buffer is cleared at the commit.

/** Copies of at most this many bytes go into the arena; larger ones get a buffer of their own. */
const MAX_ARENA_COPY = 1024;
const CHUNK_BYTES = 64 * 1024;

export class WriteArena {
  #chunk: Buffer | undefined;
  #offset = 0;

  /** `b`'s bytes in memory the arena owns (a larger `b` that owns its memory exactly is kept as is). */
  copy(b: Buffer): Buffer {
    const n = b.length;
    if (n > MAX_ARENA_COPY) {
      if (b.byteOffset === 0 && b.buffer.byteLength === n) return b;
      const own = Buffer.allocUnsafeSlow(n);
      b.copy(own);
      return own;
    }
    if (this.#chunk === undefined || this.#offset + n > CHUNK_BYTES) {
      this.#chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
      this.#offset = 0;
    }
    const start = this.#offset;
    b.copy(this.#chunk, start);
    this.#offset = start + n;
    return this.#chunk.subarray(start, start + n);
  }

  /** Starts a new chunk at the next copy: the old ones go with the last copy that refers to them. */
  reset(): void {
    this.#chunk = undefined;
    this.#offset = 0;
  }
}
