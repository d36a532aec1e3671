import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeMetadata } from './metadata-probe.js';

interface ReceivedRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly clientId: string;
  readonly body: Buffer;
}

interface FakeBroker {
  readonly port: number;
  readonly requests: ReceivedRequest[];
}

// Speaks just enough of Kafka's protocol: size-prefixed frames, request header v1, response header v0.
async function fakeBroker(answer: (request: ReceivedRequest) => Buffer | undefined): Promise<FakeBroker> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((socket: Socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + frame.length);
        const clientIdLength = frame.readInt16BE(8);
        const request = {
          apiKey: frame.readInt16BE(0),
          apiVersion: frame.readInt16BE(2),
          clientId: frame.toString('utf8', 10, 10 + clientIdLength),
          body: frame.subarray(10 + clientIdLength),
        };
        requests.push(request);
        const body = answer(request);
        if (body !== undefined) socket.write(frameOf(Buffer.concat([int32(frame.readInt32BE(4)), body])));
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, requests };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value, 0);
  return buffer;
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value, 0);
  return buffer;
}

function string(value: string | null): Buffer {
  if (value === null) return int16(-1);
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([int16(bytes.length), bytes]);
}

function frameOf(payload: Buffer): Buffer {
  return Buffer.concat([int32(payload.length), payload]);
}

/** ApiVersions v0 response body: error code, then [api key, min, max]. */
function apiVersionsBody(versions: readonly [apiKey: number, min: number, max: number][]): Buffer {
  return Buffer.concat([
    int16(0),
    int32(versions.length),
    ...versions.map(([key, min, max]) => Buffer.concat([int16(key), int16(min), int16(max)])),
  ]);
}

/** Metadata v8 response body: throttle, brokers, cluster id, controller id, topics (none). */
function metadataV8Body(
  brokers: readonly { nodeId: number; host: string; port: number; rack: string | null }[],
  clusterId: string | null,
  controllerId: number,
): Buffer {
  return Buffer.concat([
    int32(0),
    int32(brokers.length),
    ...brokers.map((b) => Buffer.concat([int32(b.nodeId), string(b.host), int32(b.port), string(b.rack)])),
    string(clusterId),
    int32(controllerId),
    int32(0),
    int32(0), // cluster authorized operations
  ]);
}

const METADATA = 3;
const API_VERSIONS = 18;

describe('probeMetadata', () => {
  it('should return the brokers and the controller id of a Metadata response', async () => {
    const broker = await fakeBroker((request) =>
      request.apiKey === API_VERSIONS
        ? apiVersionsBody([
            [0, 3, 12],
            [METADATA, 0, 13],
            [API_VERSIONS, 0, 4],
          ])
        : metadataV8Body(
            [
              { nodeId: 1, host: '127.0.0.1', port: 9092, rack: null },
              { nodeId: 2, host: '127.0.0.1', port: 9093, rack: 'rack-b' },
              { nodeId: 3, host: 'localhost', port: 9094, rack: null },
            ],
            'a-cluster-id',
            2,
          ),
    );

    const result = await probeMetadata('127.0.0.1', broker.port, 2_000);

    expect(result).toEqual({
      brokers: [
        { nodeId: 1, host: '127.0.0.1', port: 9092 },
        { nodeId: 2, host: '127.0.0.1', port: 9093 },
        { nodeId: 3, host: 'localhost', port: 9094 },
      ],
      controllerId: 2,
      clusterId: 'a-cluster-id',
    });
  });

  it('should ask ApiVersions v0 first, then Metadata at the highest version it encodes, for no topics', async () => {
    const broker = await fakeBroker((request) =>
      request.apiKey === API_VERSIONS ? apiVersionsBody([[METADATA, 0, 13]]) : metadataV8Body([], null, -1),
    );

    await probeMetadata('127.0.0.1', broker.port, 2_000);

    expect(broker.requests.map((r) => [r.apiKey, r.apiVersion])).toEqual([
      [API_VERSIONS, 0],
      [METADATA, 8],
    ]);
    expect(broker.requests[0]!.clientId).toBe('kaskade-metadata-probe');
    // An empty topic array (not null, which means all topics), no auto-creation, no authorized operations.
    expect([...broker.requests[1]!.body]).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('should report a controller id of -1 and no brokers as they come', async () => {
    const broker = await fakeBroker((request) =>
      request.apiKey === API_VERSIONS ? apiVersionsBody([[METADATA, 0, 8]]) : metadataV8Body([], null, -1),
    );

    await expect(probeMetadata('127.0.0.1', broker.port, 2_000)).resolves.toEqual({
      brokers: [],
      controllerId: -1,
      clusterId: null,
    });
  });

  it('should reject when the broker supports no Metadata version the probe encodes', async () => {
    const broker = await fakeBroker(() => apiVersionsBody([[METADATA, 9, 13]]));

    await expect(probeMetadata('127.0.0.1', broker.port, 2_000)).rejects.toThrow(/supports Metadata v9\.\.v13/);
  });

  it('should reject when nothing listens on the port', async () => {
    const broker = await fakeBroker(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));

    await expect(probeMetadata('127.0.0.1', broker.port, 2_000)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('should reject after the timeout when the broker does not answer', async () => {
    const broker = await fakeBroker(() => undefined);
    const started = Date.now();

    await expect(probeMetadata('127.0.0.1', broker.port, 300)).rejects.toThrow(/within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('should reject a truncated response instead of reading past its end', async () => {
    const broker = await fakeBroker((request) =>
      request.apiKey === API_VERSIONS ? apiVersionsBody([[METADATA, 0, 8]]) : Buffer.concat([int32(0), int32(3)]),
    );

    await expect(probeMetadata('127.0.0.1', broker.port, 2_000)).rejects.toThrow(/truncated/);
  });
});
