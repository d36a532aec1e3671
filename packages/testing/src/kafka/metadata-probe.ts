import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** A broker as a Metadata response lists it. */
export interface ProbedBroker {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** What {@link probeMetadata} learned from one broker. */
export interface MetadataProbeResult {
  /** The brokers this broker knows to be alive (in KRaft: registered and unfenced). */
  readonly brokers: readonly ProbedBroker[];
  /** The id the broker reports as controller; -1 while it knows none. */
  readonly controllerId: number;
  readonly clusterId: string | null;
}

const API_VERSIONS = 18;
const METADATA = 3;
// Metadata v1..v8 share one non-flexible layout that this probe encodes; v9+ uses compact encodings. Kafka 4.x brokers
// still accept v1..v8, and ApiVersions tells us which ones.
const METADATA_MIN = 1;
const METADATA_MAX = 8;
const CLIENT_ID = 'kaskade-metadata-probe';

/**
 * Asks one broker for cluster metadata over Kafka's wire protocol (ApiVersions v0, then Metadata v1..v8 for no
 * topics), without a Kafka client library. Used to wait for a freshly started broker to be ready.
 *
 * Rejects on connection errors, protocol errors and when no answer came within `timeoutMs`.
 *
 * ```ts
 * const { brokers, controllerId } = await probeMetadata('127.0.0.1', 9092, 2_000);
 * ```
 */
export async function probeMetadata(host: string, port: number, timeoutMs: number): Promise<MetadataProbeResult> {
  const connection = new FrameConnection(host, port, timeoutMs);
  try {
    const versions = parseApiVersions(await connection.request(API_VERSIONS, 0, Buffer.alloc(0)));
    const range = versions.get(METADATA);
    if (range === undefined) throw new Error(`broker at ${host}:${port} does not support Metadata requests`);
    const version = Math.min(range.max, METADATA_MAX);
    if (version < Math.max(range.min, METADATA_MIN)) {
      throw new Error(`broker at ${host}:${port} supports Metadata v${range.min}..v${range.max}, the probe v1..v8`);
    }
    return parseMetadata(await connection.request(METADATA, version, encodeMetadataRequest(version)), version);
  } finally {
    connection.close();
  }
}

/** One TCP connection that sends size-prefixed requests and reads size-prefixed responses, in order. */
class FrameConnection {
  readonly #socket: Socket;
  readonly #timer: NodeJS.Timeout;
  #buffered = Buffer.alloc(0);
  #failure: Error | undefined;
  #waiter: (() => void) | undefined;
  #correlationId = 0;

  constructor(host: string, port: number, timeoutMs: number) {
    // Writes before the connection is up are buffered by the socket; failures surface when reading the response.
    this.#socket = connect({ host, port });
    this.#socket.on('data', (chunk: Buffer) => {
      this.#buffered = Buffer.concat([this.#buffered, chunk]);
      this.#wake();
    });
    this.#socket.on('error', (error) => this.#fail(new Error(`${host}:${port}: ${error.message}`, { cause: error })));
    this.#socket.on('close', () => this.#fail(new Error(`${host}:${port} closed the connection`)));
    this.#timer = setTimeout(() => {
      this.#fail(new Error(`no metadata from ${host}:${port} within ${timeoutMs} ms`));
      this.#socket.destroy();
    }, timeoutMs);
  }

  /** Sends one request (header v1) and returns the response body after the correlation id (header v0). */
  async request(apiKey: number, apiVersion: number, body: Buffer): Promise<Reader> {
    const correlationId = ++this.#correlationId;
    const clientId = Buffer.from(CLIENT_ID, 'utf8');
    const header = Buffer.alloc(4 + 2 + 2 + 4 + 2);
    header.writeInt32BE(header.length - 4 + clientId.length + body.length, 0);
    header.writeInt16BE(apiKey, 4);
    header.writeInt16BE(apiVersion, 6);
    header.writeInt32BE(correlationId, 8);
    header.writeInt16BE(clientId.length, 12);
    this.#socket.write(Buffer.concat([header, clientId, body]));
    const frame = new Reader(await this.#nextFrame());
    const answered = frame.int32();
    if (answered !== correlationId) throw new Error(`correlation id ${answered} does not match ${correlationId}`);
    return frame;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#socket.destroy();
  }

  async #nextFrame(): Promise<Buffer> {
    for (;;) {
      if (this.#buffered.length >= 4) {
        const size = this.#buffered.readInt32BE(0);
        if (this.#buffered.length >= 4 + size) {
          const frame = this.#buffered.subarray(4, 4 + size);
          this.#buffered = this.#buffered.subarray(4 + size);
          return frame;
        }
      }
      if (this.#failure !== undefined) throw this.#failure;
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}

function encodeMetadataRequest(version: number): Buffer {
  const parts = [int32(0)]; // An empty topic array: brokers and controller only (null would mean all topics).
  if (version >= 4) parts.push(Buffer.from([0])); // allow_auto_topic_creation = false
  if (version >= 8) parts.push(Buffer.from([0, 0])); // include cluster/topic authorized operations = false
  return Buffer.concat(parts);
}

function parseApiVersions(reader: Reader): Map<number, { min: number; max: number }> {
  const errorCode = reader.int16();
  if (errorCode !== 0) throw new Error(`ApiVersions failed with error code ${errorCode}`);
  const versions = new Map<number, { min: number; max: number }>();
  for (let n = reader.int32(); n > 0; n--) {
    const apiKey = reader.int16();
    versions.set(apiKey, { min: reader.int16(), max: reader.int16() });
  }
  return versions;
}

function parseMetadata(reader: Reader, version: number): MetadataProbeResult {
  if (version >= 3) reader.int32(); // throttle_time_ms
  const brokers: ProbedBroker[] = [];
  for (let n = reader.int32(); n > 0; n--) {
    const nodeId = reader.int32();
    const host = reader.string() ?? '';
    const port = reader.int32();
    reader.string(); // rack
    brokers.push({ nodeId, host, port });
  }
  const clusterId = version >= 2 ? reader.string() : null;
  const controllerId = reader.int32();
  return { brokers, controllerId, clusterId };
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value, 0);
  return buffer;
}

/** Reads big-endian primitives in sequence; throws on a truncated response instead of reading garbage. */
class Reader {
  #offset = 0;
  constructor(readonly buffer: Buffer) {}

  int16(): number {
    this.#need(2);
    const value = this.buffer.readInt16BE(this.#offset);
    this.#offset += 2;
    return value;
  }

  int32(): number {
    this.#need(4);
    const value = this.buffer.readInt32BE(this.#offset);
    this.#offset += 4;
    return value;
  }

  /** A nullable string: int16 length (-1 for null), then UTF-8 bytes. */
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    this.#need(length);
    const value = this.buffer.toString('utf8', this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }

  #need(bytes: number): void {
    if (this.#offset + bytes > this.buffer.length) throw new Error('truncated response from broker');
  }
}
