import { Headers } from '@kaskade/processor-api';
import type { WireHeaders } from './kafka-types.js';

/** Converts librdkafka's header list to `Headers` (the shared empty instance when there are none). */
export function fromWireHeaders(
  wire: readonly { readonly [key: string]: string | Buffer | null }[] | undefined,
): Headers {
  if (!wire || wire.length === 0) return Headers.EMPTY;
  const items: { key: string; value: Buffer | string | null }[] = [];
  for (const h of wire) {
    for (const key in h) items.push({ key, value: h[key] ?? null });
  }
  return Headers.of(items);
}

/** Converts `Headers` to librdkafka's list, or undefined when empty (so no allocation on the common path). */
export function toWireHeaders(headers: Headers): WireHeaders | undefined {
  if (headers.size === 0) return undefined;
  const out: WireHeaders = [];
  for (const h of headers) out.push({ [h.key]: h.value });
  return out;
}
