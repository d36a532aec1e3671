/**
 * Why the broker launcher failed:
 * - `JAVA_NOT_FOUND`: no `java` executable (install OpenJDK 17+, or set `JAVA_HOME` / the `javaPath` option);
 * - `MAVEN_NOT_FOUND`: the broker's jars are not cached yet and `mvn` is missing to fetch them;
 * - `KAFKA_RESOLVE_FAILED`: fetching the jars failed for another reason (the message has Maven's output);
 * - `PORT_IN_USE`: a broker or controller port was taken before the broker could bind it;
 * - `NOT_READY`: the brokers did not all answer a metadata request in time;
 * - `EXITED`: a JVM (the storage formatter or a broker) exited on its own.
 */
export type KafkaLauncherErrorCode =
  'JAVA_NOT_FOUND' | 'MAVEN_NOT_FOUND' | 'KAFKA_RESOLVE_FAILED' | 'PORT_IN_USE' | 'NOT_READY' | 'EXITED';

/** Where a launcher failure happened, for the person who has to fix it. */
export interface KafkaLauncherErrorOptions {
  readonly cause?: unknown;
  /** The node that failed, when one node is to blame. */
  readonly nodeId?: number;
  /** The port that was in use (`PORT_IN_USE`). */
  readonly port?: number;
  /** Process ids of the JVMs this attempt started; all of them have been killed when the error is thrown. */
  readonly pids?: readonly number[];
}

/**
 * A real Kafka broker could not be started. The message carries what is needed to fix it, including the tail of the
 * broker's log when a broker was started.
 */
export class KafkaLauncherError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: KafkaLauncherErrorCode;
  /** The node that failed, when one node is to blame. */
  readonly nodeId: number | undefined;
  /** The port that was in use (`PORT_IN_USE`). */
  readonly port: number | undefined;
  /** Process ids of the JVMs this attempt started, all killed by the time the error is thrown; empty if none. */
  readonly pids: readonly number[];

  constructor(code: KafkaLauncherErrorCode, message: string, options: KafkaLauncherErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaLauncherError';
    this.code = code;
    this.nodeId = options.nodeId;
    this.port = options.port;
    this.pids = options.pids ?? [];
  }
}
