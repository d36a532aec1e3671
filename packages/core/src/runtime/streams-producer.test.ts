import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConsumerClient } from '../kafka/consumer-client.js';
import { blockingNativeCall } from '../kafka/blocking-native-call.js';
import { KafkaOperationError } from '../kafka/kafka-client-error.js';
import type { ProducerClient } from '../kafka/producer-client.js';
import { StreamsProducer, isTransactionError, needsNewProducer } from './streams-producer.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/** A step librdkafka never returns from. */
const never = () => undefined;
/** A step that answers at once. */
const answers = (cb: (err: unknown) => void) => cb(null);

/**
 * A producer client whose transaction steps run as both real clients run theirs: through `blockingNativeCall`, the
 * native call being `steps[...]` (default: answers at once).
 */
function fakeClient(
  steps: Partial<Record<'sendOffsets' | 'commit' | 'abort', (cb: (err: unknown) => void) => void>> = {},
) {
  const calls: string[] = [];
  const blocking = (what: string, timeoutMs: number | undefined, call = answers) => {
    calls.push(what);
    return blockingNativeCall(what, timeoutMs ?? 60_000, call, () => undefined);
  };
  const client: ProducerClient = {
    reportsEveryDelivery: false,
    connect: async () => void calls.push('connect'),
    produce: () => true,
    flush: async () => {},
    initTransactions: async () => void calls.push('init'),
    beginTransaction: async () => void calls.push('begin'),
    sendOffsetsToTransaction: (_o, _c, timeoutMs) => blocking('sendOffsets', timeoutMs, steps.sendOffsets),
    commitTransaction: (timeoutMs) => blocking('commit', timeoutMs, steps.commit),
    abortTransaction: (timeoutMs) => blocking('abort', timeoutMs, steps.abort),
    disconnect: async () => void calls.push('disconnect'),
  };
  return { client, calls };
}

const offsets = [{ topic: 'in', partition: 0, offset: 10 }];
const consumer = {} as ConsumerClient;

// Each client gives up a step 10 s past its own timeout (blockingNativeCall, tested on its own); this is what the
// runtime's producer does with that.
describe('StreamsProducer: a transaction step that librdkafka does not return from', () => {
  afterEach(() => vi.useRealTimers());

  it('fails the commit once, without retrying, when sendOffsetsToTransaction is given up 40 s in, and replaces the producer', async () => {
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
      'sendOffsets failed: no answer from librdkafka in 40000 ms, past its own 30000 ms timeout (given up locally); the client is replaced (librdkafka code -185)',
    );
    expect(isTransactionError(error)).toBe(true);
    expect(needsNewProducer(error as KafkaOperationError)).toBe(true);
    // Not retried: the stuck step is given up once, and the commit never started.
    expect(first.calls).toEqual(['connect', 'init', 'begin', 'sendOffsets']);
    expect(vi.getTimerCount()).toBe(0);

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
    expect(vi.getTimerCount()).toBe(0);
    expect(second.calls).toEqual(['connect', 'init']);
    expect(producer.inTransaction).toBe(false);
  });

  it('waits for a step that returns within the limit, and leaves no timer', async () => {
    vi.useFakeTimers();
    const { client, calls } = fakeClient({ sendOffsets: (cb) => setTimeout(() => cb(null), 39_000) });
    const producer = new StreamsProducer({ exactlyOnce: true, logger: quiet, create: () => client });
    await producer.connect();
    await producer.maybeBeginTransaction();
    const commit = producer.commitTransaction(offsets, consumer);
    await vi.advanceTimersByTimeAsync(39_000);
    await commit;
    expect(calls).toEqual(['connect', 'init', 'begin', 'sendOffsets', 'commit']);
    expect(producer.inTransaction).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
