import { createRequire } from 'node:module';
import type * as S3 from '@aws-sdk/client-s3';
import type { BlobStore } from './blob-store.js';
import { ClaimCheckError } from './claim-check-options.js';

/** What the store needs of an `S3Client` of `@aws-sdk/client-s3` (v3): its `send`. */
export interface S3ClientLike {
  send(command: object, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Where an {@link S3BlobStore} keeps its blobs. */
export interface S3BlobStoreOptions {
  /** A `new S3Client({ region, endpoint, forcePathStyle, credentials })` of `@aws-sdk/client-s3`. */
  readonly client: S3ClientLike;
  readonly bucket: string;
  /** Put before every blob name (e.g. `claim-checks/`); default none. */
  readonly keyPrefix?: string;
}

type S3Module = typeof S3;
let s3Module: S3Module | undefined;

// `@aws-sdk/client-s3` is an optional peer dependency: loaded on first use, so a topology without S3 never needs it.
// Loaded with require (the SDK ships CommonJS for node), which also keeps bundlers' ESM resolution out of it.
function loadS3(): S3Module {
  try {
    s3Module ??= createRequire(import.meta.url)('@aws-sdk/client-s3') as S3Module;
    return s3Module;
  } catch (e) {
    throw new ClaimCheckError('S3BlobStore needs the package @aws-sdk/client-s3 (npm install @aws-sdk/client-s3)', {
      cause: e,
    });
  }
}

/**
 * Blobs as objects in an S3 bucket (AWS or any S3-compatible server), through `@aws-sdk/client-s3`. A put writes
 * the whole object at once (S3 never shows part of one) and, for a name that exists, sets its last-modified time to
 * now, which is what the retention sweep reads. The bucket must exist.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3ClientLike;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(options: S3BlobStoreOptions) {
    if (typeof options?.client?.send !== 'function') {
      throw new ClaimCheckError('S3BlobStore needs a client (an S3Client)', { context: { field: 'client' } });
    }
    if (typeof options.bucket !== 'string' || options.bucket === '') {
      throw new ClaimCheckError('S3BlobStore needs a bucket name', { context: { field: 'bucket' } });
    }
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = options.keyPrefix ?? '';
  }

  async put(name: string, data: Buffer, signal?: AbortSignal): Promise<void> {
    const { PutObjectCommand } = loadS3();
    const command = new PutObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + name, Body: data });
    await this.#client.send(command, { abortSignal: signal });
  }

  async get(name: string, signal?: AbortSignal): Promise<Buffer> {
    const { GetObjectCommand } = loadS3();
    const command = new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + name });
    try {
      const res = (await this.#client.send(command, { abortSignal: signal })) as {
        Body?: { transformToByteArray(): Promise<Uint8Array> };
      };
      const bytes = await res.Body!.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      if ((e as { name?: string }).name !== 'NoSuchKey') throw e;
      throw new ClaimCheckError(`claim check: no blob '${name}' in bucket ${this.#bucket} (deleted after retention?)`, {
        cause: e,
        context: { blob: name },
      });
    }
  }

  async deleteOlderThan(prefix: string, cutoffMs: number): Promise<number> {
    const { DeleteObjectCommand, ListObjectsV2Command } = loadS3();
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = (await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix + prefix, ContinuationToken: token }),
      )) as { Contents?: { Key?: string; LastModified?: Date }[]; NextContinuationToken?: string };
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined || o.LastModified === undefined || o.LastModified.getTime() >= cutoffMs) continue;
        await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: o.Key }));
        deleted++;
      }
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return deleted;
  }
}
