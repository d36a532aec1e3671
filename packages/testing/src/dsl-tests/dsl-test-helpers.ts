// Shared bits of the DSL tests: serdes and a way to print windowed keys that tests can write by hand.
import type { Windowed } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';

export const S = Serdes.String();
export const L = Serdes.Int64();

/** `key@start/end`. */
export function windowed<K>(w: Windowed<K> | null): string {
  if (w === null) return 'null';
  return `${String(w.key)}@${w.window.start}/${w.window.end}`;
}
