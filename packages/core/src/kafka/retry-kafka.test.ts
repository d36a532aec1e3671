import { describe, expect, it } from 'vitest';
import { KafkaOperationError } from './kafka-client-error.js';
import { isTransientKafkaError, retryKafka } from './retry-kafka.js';

const staleEpoch = () =>
  new KafkaOperationError('listOffsets(t-0)', { message: 'Broker: Leader epoch is older than broker epoch', code: 74 });
const unknownTopic = () => new KafkaOperationError('x', { message: 'Broker: Topic authorization failed', code: 29 });

describe('isTransientKafkaError', () => {
  it('should take leader changes and timeouts as transient, even when librdkafka says not retriable', () => {
    expect(isTransientKafkaError(staleEpoch())).toBe(true);
    expect(isTransientKafkaError(new KafkaOperationError('x', { message: 'Local: Timed out', code: -185 }))).toBe(true);
    expect(isTransientKafkaError(new KafkaOperationError('x', { message: 'r', code: 999, isRetriable: true }))).toBe(
      true,
    );
  });

  it('should not take permanent or fatal errors, nor other errors, as transient', () => {
    expect(isTransientKafkaError(unknownTopic())).toBe(false);
    expect(isTransientKafkaError(new KafkaOperationError('x', { message: 'f', code: 74, isFatal: true }))).toBe(false);
    expect(isTransientKafkaError(new Error('Local: Timed out'))).toBe(false);
  });
});

describe('retryKafka', () => {
  it('should retry transient errors with backoff until the operation succeeds, renewing before each retry', async () => {
    let calls = 0;
    const renewals: [number, number][] = [];
    const started = Date.now();
    const result = await retryKafka(
      'op',
      async () => {
        if (++calls < 3) throw staleEpoch();
        return 'ok';
      },
      { onRetry: (e, attempt) => renewals.push([e.kafkaCode, attempt]) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    // Each retry learns what failed and which attempt it was (KafkaAdmin renews its client by them).
    expect(renewals).toEqual([
      [74, 1],
      [74, 2],
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100 + 200 - 10);
  });

  it('should throw a permanent error at once', async () => {
    let calls = 0;
    await expect(
      retryKafka('op', async () => {
        calls++;
        throw unknownTopic();
      }),
    ).rejects.toThrow(/Topic authorization failed/);
    expect(calls).toBe(1);
  });

  it('should give up with the last error once the deadline has passed', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      retryKafka(
        'op',
        async () => {
          calls++;
          throw staleEpoch();
        },
        { deadlineMs: 500 },
      ),
    ).rejects.toThrow(/Leader epoch is older/);
    expect(calls).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
