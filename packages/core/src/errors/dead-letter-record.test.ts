import { describe, expect, it } from 'vitest';
import { Headers, SerializationError } from '@kaskade/processor-api';
import { DeadLetterHeaders, deadLetterRecordFor } from './dead-letter-record.js';
import type { RawSourceRecord } from './exception-handlers.js';

const record: RawSourceRecord = {
  topic: 'orders',
  partition: 3,
  offset: 1234567,
  timestamp: 1_700_000_000_000,
  key: Buffer.from([0, 1, 2]),
  value: Buffer.from('{"broken'),
  headers: Headers.of([
    { key: 'trace-id', value: 'abc' },
    { key: 'trace-id', value: 'def' },
    { key: 'empty', value: null },
  ]),
};

function strings(headers: Headers): [string, string | null][] {
  return headers.toArray().map((h) => [h.key, h.value === null ? null : h.value.toString('utf8')]);
}

describe('deadLetterRecordFor', () => {
  it('should keep the raw key and value and put the original headers first, then the KIP-1034 headers', () => {
    const error = new SerializationError('cannot deserialize value as JSON: Unterminated string');
    const dlq = deadLetterRecordFor(record, error, 'orders-dlq');
    expect(dlq.topic).toBe('orders-dlq');
    expect(dlq.key).toBe(record.key);
    expect(dlq.value).toBe(record.value);
    expect(strings(dlq.headers)).toEqual([
      ['trace-id', 'abc'],
      ['trace-id', 'def'],
      ['empty', null],
      ['__streams.errors.exception', 'SerializationError'],
      ['__streams.errors.message', 'cannot deserialize value as JSON: Unterminated string'],
      ['__streams.errors.stacktrace', error.stack!],
      ['__streams.errors.topic', 'orders'],
      ['__streams.errors.partition', '3'],
      ['__streams.errors.offset', '1234567'],
    ]);
  });

  it('should not change the source record headers', () => {
    deadLetterRecordFor(record, new Error('x'), 'dlq');
    expect(record.headers.size).toBe(3);
  });

  it('should keep null keys and values as null', () => {
    const dlq = deadLetterRecordFor(
      { ...record, key: null, value: null, headers: Headers.EMPTY },
      new Error('x'),
      'dlq',
    );
    expect(dlq.key).toBeNull();
    expect(dlq.value).toBeNull();
    expect(dlq.headers.size).toBe(6);
  });

  it('should name the error class and append each cause to the stack trace', () => {
    class OrderRejected extends Error {}
    const root = new TypeError('amount is not a number');
    const error = new OrderRejected('order rejected', { cause: root });
    const dlq = deadLetterRecordFor(record, error, 'dlq');
    expect(dlq.headers.lastString(DeadLetterHeaders.EXCEPTION)).toBe('OrderRejected');
    expect(dlq.headers.lastString(DeadLetterHeaders.STACKTRACE)).toBe(`${error.stack}\nCaused by: ${root.stack}`);
  });

  it('should stop following a cycle of causes', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const trace = deadLetterRecordFor(record, a, 'dlq').headers.lastString(DeadLetterHeaders.STACKTRACE)!;
    expect(trace.split('Caused by:')).toHaveLength(11);
  });
});
