/** librdkafka's syslog severities: 3 is an error (a failed connection, a failed handshake). */
const LOG_ERR = 3;

/**
 * Remembers the most telling error the Kafka clients logged, so that an operation that only says "timed out" can
 * say why: librdkafka logs the real cause of a failing connection ("Connect to ipv4#127.0.0.1:1 failed: Connection
 * refused", "SSL handshake failed: ... connecting to a PLAINTEXT broker listener?") but reports only "broker
 * transport failure" to the application.
 */
export class ClientDiagnostics {
  #lastFailure: string | undefined;
  #lastError: string | undefined;

  /** To be passed as a client's `onLog`. */
  readonly onLog = (severity: number, message: string): void => {
    if (severity > LOG_ERR) return;
    // "[thrd:127.0.0.1:1/bootstrap]: 127.0.0.1:1/bootstrap: Connect to ..." → "127.0.0.1:1/bootstrap: Connect to ..."
    const text = message.replace(/^\[thrd:[^\]]*\]:\s*/, '');
    this.#lastError = text;
    // "Disconnected" lines follow a failed handshake and say less than it: keep the last line that says what failed.
    if (/failed|refused|denied|authenticat|unreachable|resolve/i.test(text)) this.#lastFailure = text;
  };

  /** The last error-level line the clients logged (preferring one that names a failure), if any. */
  get cause(): string | undefined {
    return this.#lastFailure ?? this.#lastError;
  }
}
