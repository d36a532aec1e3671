import type * as z from 'zod';
import type { Serde } from '@kaskade/processor-api';
import { AvroSerde } from './avro-serde.js';
import type { AvroSchemaOrType } from './avro-serde.js';
import { BigInt64Serde } from './big-int64-serde.js';
import { BytesSerde } from './bytes-serde.js';
import { Float64Serde } from './float64-serde.js';
import { Int32Serde } from './int32-serde.js';
import { Int64Serde } from './int64-serde.js';
import { JsonSerde } from './json-serde.js';
import { StringSerde } from './string-serde.js';
import { ZodSerde } from './zod-serde.js';

/**
 * Factories for the built-in serdes. Numbers are big-endian, byte for byte as Kafka's own serializers write them, so
 * Kaskade and Java applications can share topics.
 *
 * ```ts
 * builder.stream('orders', Consumed.with(Serdes.String(), Serdes.Zod(Order)));
 * ```
 * @see org.apache.kafka.common.serialization.Serdes
 */
export const Serdes = Object.freeze({
  /** UTF-8 strings; fails on bytes that are not valid UTF-8. */
  String(): Serde<string> {
    return new StringSerde();
  },
  /** UTF-8 JSON; the type parameter is trusted, not checked (see {@link Serdes.Zod}). */
  Json<T = unknown>(): Serde<T> {
    return new JsonSerde<T>();
  },
  /** Raw bytes, unchanged. */
  Bytes(): Serde<Buffer> {
    return new BytesSerde();
  },
  /** 4-byte big-endian signed integers (Kafka's `Serdes.Integer()`). */
  Int32(): Serde<number> {
    return new Int32Serde();
  },
  /** 8-byte big-endian signed integers as `number` (Kafka's `Serdes.Long()`); fails outside the safe integer range. */
  Int64(): Serde<number> {
    return new Int64Serde();
  },
  /** 8-byte big-endian signed integers as `bigint` (Kafka's `Serdes.Long()`), the full 64-bit range. */
  BigInt64(): Serde<bigint> {
    return new BigInt64Serde();
  },
  /** 8-byte big-endian IEEE 754 doubles (Kafka's `Serdes.Double()`). */
  Float64(): Serde<number> {
    return new Float64Serde();
  },
  /** Raw Avro binary for an avsc schema or `Type`. */
  Avro<T = unknown>(schemaOrType: AvroSchemaOrType): Serde<T> {
    return new AvroSerde<T>(schemaOrType);
  },
  /** JSON validated by a zod schema when serializing and when deserializing. */
  Zod<S extends z.ZodType>(schema: S): Serde<z.output<S>> {
    return new ZodSerde(schema);
  },
});
