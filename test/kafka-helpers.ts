// Small helpers for broker tests: create topics, produce many records fast, read a topic to its end.
import { KafkaAdmin, KafkaConsumerClient, KafkaProducerClient } from '@kaskade/core/internal';
import type { ConsumedMessage, WireHeaders } from '@kaskade/core/internal';
import { bootstrapServers } from './broker-context.js';

export async function createTopics(
  ...specs: { topic: string; partitions: number; config?: { [k: string]: string } }[]
) {
  const admin = KafkaAdmin.create(bootstrapServers());
  try {
    await admin.createTopics(specs.map((s) => ({ ...s, replicationFactor: 1 })));
  } finally {
    admin.close();
  }
}

export interface OutRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  timestamp?: number;
  headers?: WireHeaders;
}

/** Produces records (in order per partition) and waits until all are delivered. */
export async function produce(
  topic: string,
  records: Iterable<OutRecord>,
  servers = bootstrapServers(),
): Promise<number> {
  let failed: Error | undefined;
  const p = new KafkaProducerClient({
    bootstrapServers: servers,
    config: { partitioner: 'murmur2_random', 'linger.ms': 20 },
    onDelivery: (r) => {
      if (r.error) failed ??= r.error;
    },
  });
  await p.connect();
  let n = 0;
  for (const r of records) {
    const key = r.key === null ? null : Buffer.isBuffer(r.key) ? r.key : Buffer.from(r.key);
    const value = r.value === null ? null : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    while (!p.produce(topic, r.partition ?? -1, value, key, r.timestamp ?? Date.now(), r.headers)) await p.flush();
    n++;
  }
  await p.flush();
  await p.disconnect();
  if (failed) throw failed;
  return n;
}

/** A group of its own for one read (nothing is committed in it). */
const readerGroup = (topic: string): string => `reader-${topic}-${Date.now()}-${Math.random().toString(16).slice(2)}`;

/**
 * Reads a topic from the beginning (all partitions) until `done` says so or the timeout passes; returns what it
 * read. A fresh group each time, nothing committed.
 */
export async function readTopic(
  topic: string,
  done: (all: ConsumedMessage[]) => boolean,
  options: { timeoutMs?: number; isolation?: 'read_committed' | 'read_uncommitted'; servers?: string } = {},
): Promise<ConsumedMessage[]> {
  const consumer = new KafkaConsumerClient({
    bootstrapServers: options.servers ?? bootstrapServers(),
    groupId: readerGroup(topic),
    isolationLevel: options.isolation ?? 'read_uncommitted',
  });
  await consumer.connect();
  consumer.subscribe([topic]);
  const all: ConsumedMessage[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    while (!done(all) && Date.now() < deadline) all.push(...(await consumer.consumeBatch(5000)));
  } finally {
    await consumer.disconnect();
  }
  return all;
}

/**
 * Every record of `topic` from its start to its end as the broker reports it (for read_committed: its last stable
 * offset), through an assigned consumer. It returns once its position reached that end in every partition, where a
 * reader that cannot know the end (`readTopic` with `() => false`) has to wait out its whole timeout. With `settleMs`,
 * once there it waits that long and asks for the ends again, reading on while they moved: a check that nothing more
 * arrives watches as long as it did with a timed reader.
 */
export async function readToEnd(
  topic: string,
  options: {
    isolation?: 'read_committed' | 'read_uncommitted';
    servers?: string;
    timeoutMs?: number;
    settleMs?: number;
  } = {},
): Promise<ConsumedMessage[]> {
  const servers = options.servers ?? bootstrapServers();
  const isolation = options.isolation ?? 'read_uncommitted';
  const admin = KafkaAdmin.create(servers);
  const all: ConsumedMessage[] = [];
  let consumer: KafkaConsumerClient | undefined;
  try {
    const partitions = (await admin.describeTopic(topic)).map((d) => ({ topic, partition: d.partition }));
    /** Where each partition ends now; one whose start is there (nothing left to read) counts as read. */
    const bounds = async () => {
      const [starts, ends] = await Promise.all([
        admin.listOffsets(partitions, 'earliest'),
        admin.listOffsets(partitions, 'latest', isolation),
      ]);
      return ends.map((e) => ({
        partition: e.partition,
        offset: e.offset,
        empty: (starts.find((s) => s.partition === e.partition)?.offset ?? 0) >= e.offset,
      }));
    };
    let ends = await bounds();
    consumer = new KafkaConsumerClient({
      bootstrapServers: servers,
      groupId: readerGroup(topic),
      isolationLevel: isolation,
    });
    await consumer.connect();
    const reader = consumer;
    reader.assignAt(partitions.map((p) => ({ ...p, offset: 0 })));
    const reached = () => ends.every((e) => e.empty || (reader.position(topic, e.partition) ?? 0) >= e.offset);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs + (options.settleMs ?? 0);
    // While the ends keep moving, settle again, at most 5 times (a topic still being written is read to where it got).
    for (let settles = 0; ; settles++) {
      while (!reached()) {
        if (Date.now() >= deadline) {
          const at = ends.map((e) => `${e.partition}: ${reader.position(topic, e.partition) ?? '-'}/${e.offset}`);
          throw new Error(`readToEnd(${topic}): not at the end after ${timeoutMs} ms (${at.join(', ')})`);
        }
        all.push(...(await reader.consumeBatch(5000)));
      }
      if (options.settleMs === undefined || settles === 5) break;
      await new Promise((r) => setTimeout(r, options.settleMs));
      const before = JSON.stringify(ends);
      ends = await bounds();
      if (JSON.stringify(ends) === before) break;
    }
  } finally {
    admin.close();
    await consumer?.disconnect();
  }
  return all;
}

/**
 * The offset (next to read) that group `groupId` committed for `topic` partition `partition`; -1 when none. Asked
 * through a consumer of the group that does not join it (the admin call can crash the client on a fresh broker).
 */
export async function committedOffset(groupId: string, topic: string, partition = 0): Promise<number> {
  const reader = new KafkaConsumerClient({ bootstrapServers: bootstrapServers(), groupId });
  await reader.connect();
  try {
    const [c] = await reader.committed([{ topic, partition }], 10_000);
    return c?.offset ?? -1;
  } finally {
    await reader.disconnect();
  }
}

/** Polls `check` until it returns true or the timeout passes; `what` names what it waited for in the error. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  what: string | (() => string) = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      // A function describes the state at the timeout (what was reached instead).
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const str = (b: Buffer | string | null | undefined): string | null =>
  b === null || b === undefined ? null : Buffer.isBuffer(b) ? b.toString() : b;

/** One line a {@link RecordingLogger} received. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
}

/** A logger that keeps every line (and prints them when `echo` is set, so the test's output shows them). */
export interface RecordingLogger {
  readonly lines: LogLine[];
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Messages at a level. */
  at(level: LogLine['level']): string[];
}

export function recordingLogger(options: { echo?: (line: LogLine) => boolean } = {}): RecordingLogger {
  const lines: LogLine[] = [];
  const log = (level: LogLine['level']) => (message: string) => {
    const line = { level, message };
    lines.push(line);
    if (options.echo?.(line)) console.log(`[${level}] ${message}`);
  };
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    at: (level) => lines.filter((l) => l.level === level).map((l) => l.message),
  };
}
