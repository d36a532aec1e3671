import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import type { Serde } from '@kaskade/processor-api';
import { AvroSerde } from './avro-serde.js';
import { BigInt64Serde } from './big-int64-serde.js';
import { BytesSerde } from './bytes-serde.js';
import { Float64Serde } from './float64-serde.js';
import { Int32Serde } from './int32-serde.js';
import { Int64Serde } from './int64-serde.js';
import { JsonSerde } from './json-serde.js';
import { Serdes } from './serdes.js';
import { StringSerde } from './string-serde.js';
import { ZodSerde } from './zod-serde.js';

describe('Serdes', () => {
  it('should make each built-in serde', () => {
    expect(Serdes.String()).toBeInstanceOf(StringSerde);
    expect(Serdes.Json()).toBeInstanceOf(JsonSerde);
    expect(Serdes.Bytes()).toBeInstanceOf(BytesSerde);
    expect(Serdes.Int32()).toBeInstanceOf(Int32Serde);
    expect(Serdes.Int64()).toBeInstanceOf(Int64Serde);
    expect(Serdes.BigInt64()).toBeInstanceOf(BigInt64Serde);
    expect(Serdes.Float64()).toBeInstanceOf(Float64Serde);
    expect(Serdes.Avro('string')).toBeInstanceOf(AvroSerde);
    expect(Serdes.Zod(z.string())).toBeInstanceOf(ZodSerde);
  });

  it('should type each serde by the values it handles', () => {
    expectTypeOf(Serdes.String()).toEqualTypeOf<Serde<string>>();
    expectTypeOf(Serdes.Json<{ a: number }>()).toEqualTypeOf<Serde<{ a: number }>>();
    expectTypeOf(Serdes.BigInt64()).toEqualTypeOf<Serde<bigint>>();
    expectTypeOf(Serdes.Zod(z.object({ n: z.number() }))).toEqualTypeOf<Serde<{ n: number }>>();
    expect(Serdes.Json<{ a: number }>().deserialize('t', Buffer.from('{"a":1}')).a).toBe(1);
  });

  it('should be frozen', () => {
    expect(Object.isFrozen(Serdes)).toBe(true);
  });
});
