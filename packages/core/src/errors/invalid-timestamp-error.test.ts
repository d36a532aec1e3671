import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  CorruptedStateError,
  IllegalStateError,
  InvalidStateStoreError,
  KafkaClientError,
  ProcessingError,
  ProductionError,
  SerializationError,
  StreamsError,
  TaskMigratedError,
  TopologyError,
} from '@kaskade/processor-api';
import { InvalidTimestampError } from './invalid-timestamp-error.js';

describe('InvalidTimestampError', () => {
  it('should be a StreamsError with a code of its own', () => {
    const error = new InvalidTimestampError('bad', { context: { topic: 't', partition: 0, offset: 1 } });
    expect(error).toBeInstanceOf(StreamsError);
    expect(error.name).toBe('InvalidTimestampError');
    expect(error.code).toBe('KASKADE_INVALID_TIMESTAMP');
    const others = [
      new StreamsError(''),
      new TopologyError(''),
      new ConfigError('', []),
      new SerializationError(''),
      new InvalidStateStoreError(''),
      new CorruptedStateError(''),
      new TaskMigratedError(''),
      new ProcessingError(''),
      new ProductionError(''),
      new KafkaClientError(''),
      new IllegalStateError(''),
    ];
    expect(others.map((e) => e.code)).not.toContain(error.code);
  });
});
