import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { blockingNativeCall } from './blocking-native-call.js';
import { KafkaOperationError } from './kafka-client-error.js';

describe('blockingNativeCall', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('should resolve or reject with the callback when it comes in time', async () => {
    const ok = blockingNativeCall(
      'op',
      1000,
      (cb) => setTimeout(() => cb(null), 500),
      () => undefined,
      100,
    );
    await vi.advanceTimersByTimeAsync(500);
    await expect(ok).resolves.toBeUndefined();
    const failing = blockingNativeCall(
      'commitTransaction',
      1000,
      (cb) => setTimeout(() => cb({ code: 48, message: 'invalid state', isTxnRequiresAbort: true }), 10),
      () => undefined,
    );
    const assertion = expect(failing).rejects.toMatchObject({ kafkaCode: 48, txnRequiresAbort: true, fatal: false });
    await vi.advanceTimersByTimeAsync(10);
    await assertion;
  });

  it('should give up on a call that never answers, as fatal and naming it, and ignore a late answer', async () => {
    let late: ((err: unknown) => void) | undefined;
    let stuck = 0;
    let nativeEnd: Promise<void> | undefined;
    let nativeEnded = false;
    const p = blockingNativeCall(
      'sendOffsetsToTransaction',
      30_000,
      (cb) => (late = cb),
      (end) => {
        stuck++;
        nativeEnd = end;
        void end.then(() => (nativeEnded = true));
      },
      10_000,
    );
    let error: unknown;
    p.catch((e: unknown) => (error = e));
    await vi.advanceTimersByTimeAsync(39_999);
    expect(error).toBeUndefined();
    expect(stuck).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(error).toBeInstanceOf(KafkaOperationError);
    expect((error as KafkaOperationError).fatal).toBe(true);
    expect((error as Error).message).toContain(
      'sendOffsetsToTransaction failed: no answer from librdkafka in 40000 ms',
    );
    expect(stuck).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(nativeEnded).toBe(false); // the client must not be destroyed yet: the call still runs inside it
    late!({ code: -172, message: 'Erroneous state' }); // comes 224 s later: the promise stays as it was
    await nativeEnd;
    expect(nativeEnded).toBe(true);
    await expect(p).rejects.toBe(error);
  });

  it('should reject at once, without a watchdog left behind, when the call throws', async () => {
    let stuck = 0;
    const p = blockingNativeCall(
      'commitTransaction',
      1000,
      () => {
        throw Object.assign(new Error('Erroneous state'), { code: -172 });
      },
      () => stuck++,
    );
    await expect(p).rejects.toMatchObject({ kafkaCode: -172 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stuck).toBe(0);
  });
});
