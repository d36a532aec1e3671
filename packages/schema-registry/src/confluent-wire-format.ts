import { SchemaRegistryWireFormatError } from './schema-registry-error.js';

/** The first byte of every record in the Confluent wire format. */
export const MAGIC_BYTE = 0;
/** Magic byte plus the 4-byte big-endian schema id. */
export const HEADER_SIZE = 5;

/** `body` in the Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the body. */
export function frameConfluent(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + body.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(schemaId, 1);
  body.copy(out, HEADER_SIZE);
  return out;
}

/** The schema id and body (a view, not a copy) of a record in the Confluent wire format. */
export function unframeConfluent(topic: string, data: Buffer): { readonly schemaId: number; readonly body: Buffer } {
  if (data.length < HEADER_SIZE) {
    throw new SchemaRegistryWireFormatError(
      'TOO_SHORT',
      `${data.length} bytes on topic ${topic} are too few for the schema-registry wire format (magic byte and 4-byte schema id)`,
      { context: { topic } },
    );
  }
  if (data[0] !== MAGIC_BYTE) {
    throw new SchemaRegistryWireFormatError(
      'UNKNOWN_MAGIC_BYTE',
      `unknown magic byte ${data[0]} on topic ${topic}: the record was not written in the schema-registry wire format (magic byte 0)`,
      { context: { topic, magicByte: data[0] } },
    );
  }
  return { schemaId: data.readInt32BE(1), body: data.subarray(HEADER_SIZE) };
}
