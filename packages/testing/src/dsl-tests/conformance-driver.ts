// The conformance tests' driver: runs a topology on the inputs named by the expected lines of a conformance case
// (conformance/src/main/java/conformance/Main.java) and returns the same kind of lines. Shared by the conformance
// test files.
import type { Windowed } from '@kaskade/processor-api';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import type { KTable } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import type { TopologyTestDriverConfig } from '../driver/topology-test-driver.js';
import { S } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;

/** The driver of the last {@link run}. */
export function currentDriver(): TopologyTestDriver {
  if (!driver) throw new Error('no driver: call run() first');
  return driver;
}

/** Closes the driver of the last {@link run} (call it after each test). */
export function closeDriver(): void {
  driver?.close();
  driver = undefined;
}

export const str = (v: unknown): string => (v === null || v === undefined ? 'null' : String(v));
const LINE = /^(\S+) (.*?)=(.*?)@(\d+) ->/;

/** Builds the topology, pipes the inputs named by `expected` one by one, and returns the same kind of lines. */
export function run(
  build: (b: StreamsBuilder) => void,
  expected: readonly string[],
  config: TopologyTestDriverConfig = {},
): string[] {
  const builder = new StreamsBuilder();
  build(builder);
  driver = new TopologyTestDriver(builder.build(), config);
  const out = driver.createOutputTopic('out', S, S);
  const lines: string[] = [];
  for (const line of expected) {
    const [, topic, key, value, ts] = LINE.exec(line)!;
    const k = key === 'null' ? null : key!;
    const v = value === 'null' ? null : value!;
    driver.createInputTopic(topic!, S, S).pipeInput(k, v, Number(ts));
    const outputs = out.readRecordsToList().map((r) => ` ${str(r.key)}=${str(r.value)}@${r.timestamp}`);
    lines.push(`${topic} ${str(k)}=${str(v)}@${ts} ->${outputs.join('')}`);
  }
  return lines;
}

/** `key@start/end` = count, as the Java side writes windowed counts. */
export function windowedOut(table: KTable<Windowed<string>, number>): void {
  table
    .toStream()
    .map((k, v) => ({ key: `${k.key}@${k.window.start}/${k.window.end}`, value: v === null ? null : String(v) }))
    .to('out', Produced.with(S, S));
}

export const inputStream = (b: StreamsBuilder) => b.stream('in', Consumed.with(S, S)).groupByKey();
