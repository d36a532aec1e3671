import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import { KafkaOperationError } from '../kafka/kafka-client-error.js';
import type { ProducerClient } from '../kafka/producer-client.js';
import { StreamsProducer, isTransactionError, needsNewProducer } from './streams-producer.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const never = () => new Promise<void>(() => {});

/** A producer client whose transaction steps do what `steps` says (default: succeed at once). */
function fakeClient(steps: Partial<Record<'sendOffsets' | 'commit' | 'abort', () => Promise<void>>> = {}) {
  const calls: string[] = [];
  const client: ProducerClient = {
    reportsEveryDelivery: false,
    connect: async () => void calls.push('connect'),
    produce: () => true,
    flush: async () => {},
    initTransactions: async () => void calls.push('init'),
    beginTransaction: async () => void calls.push('begin'),
    sendOffsetsToTransaction: () => (calls.push('sendOffsets'), (steps.sendOffsets ?? (async () => {}))()),
    commitTransaction: () => (calls.push('commit'), (steps.commit ?? (async () => {}))()),
    abortTransaction: () => (calls.push('abort'), (steps.abort ?? (async () => {}))()),
    disconnect: async () => void calls.push('disconnect'),
  };
  return { client, calls };
}

const offsets = [{ topic: 'in', partition: 0, offset: 10 }];
const consumer = {} as ConsumerClient;

describe('StreamsProducer: a transaction step that librdkafka does not return from', () => {
  afterEach(() => vi.useRealTimers());

  it('fails sendOffsetsToTransaction 40 s in (its 30 s timeout and 10 s of grace) with an error that replaces the producer', async () => {
    vi.useFakeTimers();
    const made = [fakeClient({ sendOffsets: never }), fakeClient()];
    const producer = new StreamsProducer({ exactlyOnce: true, logger: quiet, create: () => made.shift()!.client });
    const first = made[0]!;
    await producer.connect();
    await producer.maybeBeginTransaction();
    const commit = producer.commitTransaction(offsets, consumer);
    const outcome = commit.then(
      () => undefined,
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(39_999);
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(KafkaOperationError);
    expect((error as Error).message).toBe(
      'sendOffsetsToTransaction failed: librdkafka did not return within 40000 ms (its timeout was 30000 ms); the producer is replaced (librdkafka code -185)',
    );
    expect(isTransactionError(error)).toBe(true);
    expect(needsNewProducer(error as KafkaOperationError)).toBe(true);
    // Not retried: the stuck step is given up once, and the commit never started.
    expect(first.calls).toEqual(['connect', 'init', 'begin', 'sendOffsets']);

    // The rewind replaces the producer: the old one is disconnected, a new one initialized; no transaction open.
    const second = made[0]!;
    await producer.abortOrReplace(error as Error);
    expect(first.calls.at(-1)).toBe('disconnect');
    expect(second.calls).toEqual(['connect', 'init']);
    expect(producer.inTransaction).toBe(false);
  });

  it('replaces the producer when abortTransaction does not return either', async () => {
    vi.useFakeTimers();
    const made = [fakeClient({ abort: never }), fakeClient()];
    const producer = new StreamsProducer({ exactlyOnce: true, logger: quiet, create: () => made.shift()!.client });
    const first = made[0]!;
    const second = made[1]!;
    await producer.connect();
    await producer.maybeBeginTransaction();
    const aborted = producer.abortOrReplace(new Error('a failed send'));
    await vi.advanceTimersByTimeAsync(40_000);
    await aborted;
    expect(first.calls).toEqual(['connect', 'init', 'begin', 'abort', 'disconnect']);
    expect(second.calls).toEqual(['connect', 'init']);
    expect(producer.inTransaction).toBe(false);
  });

  it('leaves a step that returns in time alone, and clears its timer', async () => {
    vi.useFakeTimers();
    const { client, calls } = fakeClient();
    const producer = new StreamsProducer({ exactlyOnce: true, logger: quiet, create: () => client });
    await producer.connect();
    await producer.maybeBeginTransaction();
    await producer.commitTransaction(offsets, consumer);
    expect(calls).toEqual(['connect', 'init', 'begin', 'sendOffsets', 'commit']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
