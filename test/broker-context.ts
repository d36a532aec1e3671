// What broker tests need to know about the broker that the global setup (test/global-setup.ts) provides.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `bootstrap.servers` of the shared broker of the `broker` project. */
    bootstrapServers: string;
    /** Its Apache Kafka version, e.g. `4.3.1`; `unknown` for an external broker of unknown version. */
    kafkaVersion: string;
  }
}

/** `bootstrap.servers` of the broker shared by all broker tests. */
export function bootstrapServers(): string {
  return inject('bootstrapServers');
}

/** The Apache Kafka version of that broker. */
export function kafkaVersion(): string {
  return inject('kafkaVersion');
}

let counter = 0;

/**
 * A topic, group or application id that no other test (nor an earlier run against the same broker) uses:
 * `<prefix>-<pid>-<counter>-<random>`. Characters Kafka does not allow in topic names become `-`.
 */
export function uniqueName(prefix: string): string {
  const safePrefix = prefix.replace(/[^a-zA-Z0-9._-]/g, '-');
  return `${safePrefix}-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}`;
}
