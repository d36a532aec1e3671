import { StartTimeoutError } from '../errors/start-timeout-error.js';
import { KafkaOperationError } from '../kafka/kafka-client-error.js';

/** What a {@link StartDeadline} reports about a start that fails: where start was, and what the clients said. */
export interface StartProgress {
  readonly bootstrapServers: string;
  /** What start is doing now, e.g. "connecting the producer and the consumer". */
  readonly phase: string;
  /** The Kafka clients' last connection error (see `ClientDiagnostics`). */
  readonly cause: string | undefined;
}

/**
 * Bounds `KafkaStreams.start()`: `setup` either completes within `timeoutMs` or the returned promise rejects with a
 * {@link StartTimeoutError} naming the phase and the clients' own account of the failure ("Connection refused",
 * "SSL handshake failed"). A setup error that only says "timed out" gets that account appended too.
 */
export async function withinStartDeadline(
  setup: Promise<void>,
  timeoutMs: number,
  progress: () => StartProgress,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const p = progress();
      reject(
        new StartTimeoutError(
          `start() did not complete within ${timeoutMs} ms (startTimeoutMs) while ${p.phase}: ${p.cause ?? 'no error reported by the Kafka clients'}`,
          { context: { ...p } },
        ),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([setup, timeout]);
  } catch (e) {
    throw withClientCause(e, progress());
  } finally {
    clearTimeout(timer);
  }
}

function withClientCause(e: unknown, p: StartProgress): unknown {
  if (!(e instanceof KafkaOperationError) || p.cause === undefined || e.message.includes(p.cause)) return e;
  return new StartTimeoutError(`start() failed while ${p.phase}: ${e.message}; the Kafka clients report: ${p.cause}`, {
    cause: e,
    context: { ...p },
  });
}
