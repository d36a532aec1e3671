/**
 * The joiner of Kafka Streams' SimpleBenchmark: both values concatenated, or the one that is there (left joins pass
 * null for a missing side). Each join result allocates one buffer, as `byte[]` concatenation does in Java.
 */
export function concatValues(left: Buffer | null, right: Buffer | null): Buffer {
  if (left === null) return right ?? Buffer.alloc(0);
  if (right === null) return left;
  return Buffer.concat([left, right], left.length + right.length);
}
