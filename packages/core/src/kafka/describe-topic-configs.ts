// Reads a topic's configs with Kafka's DescribeConfigs request (API key 32, version 1), spoken directly over a
// plaintext connection to a bootstrap broker. @confluentinc/kafka-javascript exposes no DescribeConfigs (librdkafka
// has one, the binding does not), and checking a managed sink topic's configs needs it. Only plaintext listeners are
// supported; with TLS or SASL configured the caller is told so (DescribeConfigsUnsupported) and skips the check.
import { connect } from 'node:net';
import { KafkaClientError } from '@kaskade/processor-api';

const API_KEY = 32;
const API_VERSION = 1;
const RESOURCE_TOPIC = 2;

/** Thrown when the connection needs a protocol this small client does not speak (TLS, SASL). */
export class DescribeConfigsUnsupported extends KafkaClientError {
  override readonly code: string = 'KASKADE_DESCRIBE_CONFIGS_UNSUPPORTED';
}

/** The topic's configs named in `names` (value null: sensitive or unset), from the first broker that answers. */
export async function describeTopicConfigs(
  bootstrapServers: string,
  clientConfig: { readonly [key: string]: unknown },
  topic: string,
  names: readonly string[],
  timeoutMs: number,
): Promise<Map<string, string | null>> {
  const protocol = String(clientConfig['security.protocol'] ?? 'plaintext').toLowerCase();
  if (protocol !== 'plaintext') {
    throw new DescribeConfigsUnsupported(`cannot read topic configs over security.protocol=${protocol}`);
  }
  let last: unknown;
  for (const server of bootstrapServers.split(',')) {
    const [host, port] = splitHostPort(server.trim().replace(/^[a-z]+:\/\//i, ''));
    try {
      return parseResponse(await roundTrip(host, port, request(topic, names), timeoutMs), topic);
    } catch (e) {
      last = e;
    }
  }
  throw new KafkaClientError(
    `DescribeConfigs(${topic}) failed on every bootstrap server: ${(last as Error)?.message}`,
    {
      cause: last,
      context: { topic },
    },
  );
}

/** `host:port` (IPv6 in brackets) as host and port. */
export function splitHostPort(s: string): [string, number] {
  const i = s.lastIndexOf(':');
  return [s.slice(0, i).replace(/^\[|\]$/g, ''), Number(s.slice(i + 1))];
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function request(topic: string, names: readonly string[]): Buffer {
  const header = Buffer.concat([
    Buffer.from([0, API_KEY, 0, API_VERSION]),
    int32(1), // correlation id
    str('kaskade-admin'),
  ]);
  const body = Buffer.concat([
    int32(1),
    Buffer.from([RESOURCE_TOPIC]),
    str(topic),
    int32(names.length),
    ...names.map(str),
    Buffer.from([0]), // include_synonyms
  ]);
  return Buffer.concat([int32(header.length + body.length), header, body]);
}

/** Sends one size-prefixed request and resolves with the response (without its size). */
export function roundTrip(host: string, port: number, payload: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      if (received >= 4) {
        const all = Buffer.concat(chunks);
        const size = all.readInt32BE(0);
        if (all.length >= 4 + size) {
          clearTimeout(timer);
          socket.end();
          resolve(all.subarray(4, 4 + size));
        }
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`connection to ${host}:${port} closed before the answer`));
    });
  });
}

function parseResponse(b: Buffer, topic: string): Map<string, string | null> {
  let o = 4 + 4; // correlation id, throttle time
  const i8 = () => b.readInt8(o++);
  const i16 = () => ((o += 2), b.readInt16BE(o - 2));
  const i32 = () => ((o += 4), b.readInt32BE(o - 4));
  const s = (): string | null => {
    const n = i16();
    if (n < 0) return null;
    o += n;
    return b.toString('utf8', o - n, o);
  };
  const out = new Map<string, string | null>();
  for (let r = i32(); r > 0; r--) {
    const error = i16();
    const message = s();
    i8(); // resource type
    s(); // resource name
    if (error !== 0) {
      throw new KafkaClientError(`DescribeConfigs(${topic}): Kafka error ${error}${message ? `: ${message}` : ''}`, {
        context: { topic, kafkaCode: error },
      });
    }
    for (let c = i32(); c > 0; c--) {
      const name = s()!;
      const value = s();
      o += 3; // read_only, config_source, is_sensitive
      for (let syn = i32(); syn > 0; syn--) {
        s();
        s();
        o += 1;
      }
      out.set(name, value);
    }
  }
  return out;
}
