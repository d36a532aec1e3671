// Asks a broker which request types it speaks (ApiVersions, API key 18, version 0: the one every broker answers,
// whatever its version), over a plaintext connection to a bootstrap broker, like describe-topic-configs.ts. The
// binding exposes no ApiVersions; choosing the consumer group protocol needs it.
import { roundTrip, splitHostPort } from './describe-topic-configs.js';

const API_VERSIONS = 18;
/** KIP-848's heartbeat: a broker lists it only when its group coordinator offers the consumer protocol. */
export const CONSUMER_GROUP_HEARTBEAT = 68;

/**
 * The API keys the first answering bootstrap broker supports, or undefined when none answers or the connection needs
 * TLS or SASL (which this small client does not speak).
 */
export async function brokerApiKeys(
  bootstrapServers: string,
  clientConfig: { readonly [key: string]: unknown },
  timeoutMs: number,
): Promise<ReadonlySet<number> | undefined> {
  const protocol = String(clientConfig['security.protocol'] ?? 'plaintext').toLowerCase();
  if (protocol !== 'plaintext') return undefined;
  for (const server of bootstrapServers.split(',')) {
    const [host, port] = splitHostPort(server.trim().replace(/^[a-z]+:\/\//i, ''));
    try {
      return parseApiKeys(await roundTrip(host, port, request(), timeoutMs));
    } catch {
      // the next bootstrap server
    }
  }
  return undefined;
}

function request(): Buffer {
  const clientId = Buffer.from('kaskade-admin', 'utf8');
  const header = Buffer.alloc(10);
  header.writeInt16BE(API_VERSIONS, 0);
  header.writeInt16BE(0, 2); // version
  header.writeInt32BE(1, 4); // correlation id
  header.writeInt16BE(clientId.length, 8);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + clientId.length);
  return Buffer.concat([size, header, clientId]);
}

function parseApiKeys(b: Buffer): ReadonlySet<number> {
  const error = b.readInt16BE(4);
  if (error !== 0) throw new Error(`ApiVersions: Kafka error ${error}`);
  const keys = new Set<number>();
  const count = b.readInt32BE(6);
  for (let i = 0, o = 10; i < count; i++, o += 6) keys.add(b.readInt16BE(o));
  return keys;
}
