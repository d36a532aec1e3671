import { describe, expect, it, vi } from 'vitest';
import { Headers } from '@kaskade/processor-api';
import type { Logger } from '../config/logger.js';
import { DefaultProductionExceptionHandler } from './default-production-exception-handler.js';
import type { ErrorHandlerContext, RawSourceRecord } from './exception-handlers.js';
import { LogAndContinueExceptionHandler } from './log-and-continue-exception-handler.js';
import { LogAndFailExceptionHandler } from './log-and-fail-exception-handler.js';

const context: ErrorHandlerContext = {
  taskId: { subtopology: 1, partition: 3 },
  nodeName: 'KSTREAM-SOURCE-0000000000',
  topic: 'orders',
  partition: 3,
  offset: 42,
};
const record: RawSourceRecord = {
  topic: 'orders',
  partition: 3,
  offset: 42,
  timestamp: 0,
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: Headers.of([{ key: 'h', value: '1' }]),
};

function recordingLogger() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() } satisfies Logger;
}

describe('LogAndFailExceptionHandler', () => {
  it('should log an error naming the record and fail', () => {
    const logger = recordingLogger();
    const error = new Error('bad bytes');
    const response = new LogAndFailExceptionHandler({ logger }).handle(context, record, error);
    expect(response).toEqual({ action: 'FAIL' });
    expect(logger.error).toHaveBeenCalledWith(
      'record at topic "orders" partition 3 offset 42 failed in node "KSTREAM-SOURCE-0000000000" (task 1_3): ' +
        'bad bytes; stopping the application (logAndFail)',
      { taskId: '1_3', nodeName: 'KSTREAM-SOURCE-0000000000', topic: 'orders', partition: 3, offset: 42, error },
    );
  });

  it('should also return the raw record for the dead-letter topic when one is configured', () => {
    const logger = recordingLogger();
    const handler = new LogAndFailExceptionHandler({ logger, deadLetterQueueTopic: 'orders-dlq' });
    const response = handler.handle(context, record, new Error('bad bytes'));
    expect(response.action).toBe('FAIL');
    expect(response.deadLetterRecords).toHaveLength(1);
    const dlq = response.deadLetterRecords![0]!;
    expect(dlq.topic).toBe('orders-dlq');
    expect(dlq.key).toBe(record.key);
    expect(dlq.value).toBe(record.value);
    expect(dlq.headers.toArray().map((h) => h.key)).toEqual([
      'h',
      '__streams.errors.exception',
      '__streams.errors.message',
      '__streams.errors.stacktrace',
      '__streams.errors.topic',
      '__streams.errors.partition',
      '__streams.errors.offset',
    ]);
    expect(logger.error.mock.calls[0]![0]).toContain('writing it to dead-letter topic "orders-dlq"');
  });
});

describe('LogAndContinueExceptionHandler', () => {
  it('should log a warning and continue', () => {
    const logger = recordingLogger();
    const response = new LogAndContinueExceptionHandler({ logger }).handle(context, record, new Error('boom'));
    expect(response).toEqual({ action: 'CONTINUE' });
    expect(logger.warn).toHaveBeenCalledOnce();
    expect(logger.warn.mock.calls[0]![0]).toMatch(/offset 42 .*: boom; skipping the record \(logAndContinue\)$/);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('should return the raw record for the dead-letter topic when one is configured', () => {
    const handler = new LogAndContinueExceptionHandler({ logger: recordingLogger(), deadLetterQueueTopic: 'dlq' });
    const response = handler.handle(context, record, new Error('boom'));
    expect(response.action).toBe('CONTINUE');
    expect(response.deadLetterRecords?.map((r) => r.topic)).toEqual(['dlq']);
    expect(response.deadLetterRecords?.[0]?.headers.lastString('__streams.errors.offset')).toBe('42');
  });
});

describe('DefaultProductionExceptionHandler', () => {
  it('should fail', () => {
    expect(new DefaultProductionExceptionHandler().handle()).toEqual({ action: 'FAIL' });
  });
});
