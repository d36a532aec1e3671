/**
 * Where the claim check keeps large values: a flat namespace of immutable blobs, written whole and read whole.
 * Implementations: {@link LocalDirectoryBlobStore} (the default) and `S3BlobStore`; any other store (GCS, a database)
 * needs only these three calls.
 *
 * Names are made by the claim check (`<topic>/sha256-<hex>`): letters, digits, `.`, `_`, `-` and one `/`.
 */
export interface BlobStore {
  /**
   * Stores `data` under `name`. The claim check names blobs after their content, so a name that already exists holds
   * the same bytes: the store may keep them, but must then count the blob as written now (the retention sweep goes by
   * the time of the last write). A reader must never see a partly written blob.
   */
  put(name: string, data: Buffer, signal?: AbortSignal): Promise<void>;
  /** The bytes stored under `name`; rejects with a `ClaimCheckError` (code `KASKADE_CLAIM_CHECK_ERROR`) if none. */
  get(name: string, signal?: AbortSignal): Promise<Buffer>;
  /** Deletes the blobs whose names start with `prefix` and that were last written before `cutoffMs` (epoch ms). */
  deleteOlderThan(prefix: string, cutoffMs: number): Promise<number>;
}
