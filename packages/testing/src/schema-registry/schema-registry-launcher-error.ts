/**
 * Why the schema-registry launcher failed:
 * - `JAVA_NOT_FOUND`: no `java` executable (install OpenJDK 17+, or set `JAVA_HOME` / the `javaPath` option);
 * - `BUILD_FAILED`: building the registry from Maven Central failed (the message has Maven's output);
 * - `NOT_READY`: the registry did not answer its Confluent-compatible API in time;
 * - `EXITED`: the registry's JVM exited on its own before it was ready.
 */
export type SchemaRegistryLauncherErrorCode = 'JAVA_NOT_FOUND' | 'BUILD_FAILED' | 'NOT_READY' | 'EXITED';

/** A real schema registry could not be started; the message has the tail of its log when one was started. */
export class SchemaRegistryLauncherError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: SchemaRegistryLauncherErrorCode;
  /** The registry JVM's process id, when one was started (it has been killed by the time this is thrown). */
  readonly pid: number | undefined;

  constructor(code: SchemaRegistryLauncherErrorCode, message: string, options: { cause?: unknown; pid?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SchemaRegistryLauncherError';
    this.code = code;
    this.pid = options.pid;
  }
}
