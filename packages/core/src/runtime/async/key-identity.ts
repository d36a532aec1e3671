/**
 * What makes two keys "the same key" for per-key ordering: primitives by value, byte arrays by content, anything else
 * by its JSON form. Two keys that map to the same identity are only ordered needlessly, never reordered.
 */
export function keyIdentity(key: unknown): unknown {
  if (key === null || key === undefined) return null;
  switch (typeof key) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return key;
    default:
      break;
  }
  if (key instanceof Uint8Array)
    return `\u0000b:${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64')}`;
  try {
    return `\u0000j:${JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
  } catch {
    // A key that cannot be written as JSON (a cycle): identity of the object itself.
    return key;
  }
}
