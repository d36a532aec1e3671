import { KafkaOperationError, toKafkaError } from './kafka-client-error.js';

const ERR__TIMED_OUT = -185;

/**
 * How long past its own timeout a blocking librdkafka call may go unanswered before the caller stops waiting for it.
 * `send_offsets_to_transaction` with a 60 s timeout was seen to return only after 224 s (with "Erroneous state"),
 * after the group coordinator's broker was killed and restarted; meanwhile the instance sat in its commit, RUNNING.
 */
export const NATIVE_GRACE_MS = 10_000;

/**
 * Runs one of librdkafka's blocking calls (the client runs it on a worker thread and calls back) as a promise. When
 * the callback has not come {@link NATIVE_GRACE_MS} after the call's own timeout, the promise rejects with a fatal
 * error naming the call — the client has to be replaced, so `onStuck` is told, with a promise of the native call's
 * end: the client must not be destroyed while the call still runs inside it — and the late callback is ignored.
 */
export function blockingNativeCall(
  what: string,
  timeoutMs: number,
  call: (cb: (err: unknown) => void) => void,
  onStuck: (nativeEnd: Promise<void>) => void,
  graceMs: number = NATIVE_GRACE_MS,
): Promise<void> {
  let ended!: () => void;
  const nativeEnd = new Promise<void>((resolve) => (ended = resolve));
  return new Promise((resolve, reject) => {
    let answered = false;
    const limitMs = timeoutMs + graceMs;
    const watchdog = setTimeout(() => {
      answered = true;
      onStuck(nativeEnd);
      reject(
        new KafkaOperationError(what, {
          code: ERR__TIMED_OUT,
          message: `no answer from librdkafka in ${limitMs} ms, past its own ${timeoutMs} ms timeout (given up locally); the client is replaced`,
          isFatal: true,
        }),
      );
    }, limitMs);
    try {
      call((err) => {
        ended();
        if (answered) return;
        answered = true;
        clearTimeout(watchdog);
        if (err) reject(toKafkaError(what, err));
        else resolve();
      });
    } catch (e) {
      // Refused at once (bad arguments, wrong state): nothing runs natively, nothing to watch.
      ended();
      answered = true;
      clearTimeout(watchdog);
      reject(toKafkaError(what, e));
    }
  });
}
