import { afterEach, describe, expect, it } from 'vitest';
import type { ValueAndTimestamp, Windowed } from '@kaskade/processor-api';
import { Serdes } from '@kaskade/core';
import {
  Consumed,
  Materialized,
  Produced,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
} from '@kaskade/dsl';
import type { KTable } from '@kaskade/dsl';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';
import { L, S, windowed } from './dsl-test-helpers.js';

let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** Runs `build(grouped stream)`, feeding records (key, timestamp) and collecting the table's updates. */
function run(
  build: (builder: StreamsBuilder) => KTable<Windowed<string>, number>,
  records: readonly (readonly [string, number])[],
): string[] {
  const builder = new StreamsBuilder();
  const out: string[] = [];
  build(builder)
    .toStream()
    .foreach((k, v) => out.push(`${windowed(k)}=${v}`));
  driver = new TopologyTestDriver(builder.build());
  const input = driver.createInputTopic('in', S, S);
  for (const [key, ts] of records) input.pipeInput(key, 'v', ts);
  return out;
}

const grouped = (b: StreamsBuilder) => b.stream('in', Consumed.with(S, S)).groupByKey();

describe('tumbling and hopping windows', () => {
  it('should count per tumbling window, accepting out-of-order records within grace and dropping later ones', () => {
    const out = run(
      (b) => grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(),
      [
        ['a', 0],
        ['a', 12], // stream time 12
        ['a', 8], // window [0,10) closes at 10 + 5 = 15 > 12: accepted
        ['a', 16], // stream time 16
        ['a', 3], // 10 + 5 <= 16: late
      ],
    );
    expect(out).toEqual(['a@0/10=1', 'a@10/20=1', 'a@0/10=2', 'a@10/20=2']);
    expect(driver!.metrics().droppedByReason).toEqual({ late: 1 });
  });

  it('should treat a window as closed exactly when end + grace equals stream time', () => {
    const out = run(
      (b) => grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(),
      [
        ['a', 14], // stream time 14: [0,10) closes at 15
        ['a', 9], // accepted
        ['b', 15], // stream time 15
        ['a', 9], // 10 + 5 <= 15: late
      ],
    );
    expect(out).toEqual(['a@10/20=1', 'a@0/10=1', 'b@10/20=1']);
    expect(driver!.metrics().droppedByReason).toEqual({ late: 1 });
  });

  it('should close windows at their end when there is no grace', () => {
    const out = run(
      (b) => grouped(b).windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count(),
      [
        ['a', 10],
        ['a', 9], // [0,10) ended at stream time 10
      ],
    );
    expect(out).toEqual(['a@10/20=1']);
    expect(driver!.metrics().droppedByReason).toEqual({ late: 1 });
  });

  it('should put one record into every hopping window that contains it, none starting before 0', () => {
    const out = run(
      (b) => grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5)).count(),
      [
        ['a', 3], // [0,10) only: [-5,5) would start before 0
        ['a', 7], // [0,10) and [5,15)
        ['a', 12], // [5,15) and [10,20)
      ],
    );
    expect(out).toEqual(['a@0/10=1', 'a@0/10=2', 'a@5/15=1', 'a@5/15=2', 'a@10/20=1']);
  });

  it('should keep windows in a window store with retention of size + grace', () => {
    const builder = new StreamsBuilder();
    grouped(builder)
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .reduce((a, b) => a + b, Materialized.as('windows'));
    const topology = builder.build();
    const store = topology.stores().get('windows')!.builder as unknown as { retentionMs: number; storeType: string };
    expect(store.storeType).toBe('window');
    expect(store.retentionMs).toBe(15);
    driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'y', 2);
    expect(driver.getWindowStore<string, ValueAndTimestamp<string>>('windows')!.fetch('a', 0)).toEqual({
      value: 'xy',
      timestamp: 2,
    });
  });

  it('should use the larger of size + grace and the configured retention', () => {
    const builder = new StreamsBuilder();
    const g = grouped(builder);
    g.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count(Materialized.as<string, number>('long').withRetention(1000));
    g.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(Materialized.as<string, number>('short').withRetention(1));
    const stores = builder.build().stores();
    expect((stores.get('long')!.builder as unknown as { retentionMs: number }).retentionMs).toBe(1000);
    expect((stores.get('short')!.builder as unknown as { retentionMs: number }).retentionMs).toBe(15);
  });

  it('should write windowed keys as the inner key bytes plus the 8-byte big-endian window start', () => {
    const builder = new StreamsBuilder();
    grouped(builder)
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .toStream()
      .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), L));
    driver = new TopologyTestDriver(builder.build());
    driver.createInputTopic('in', S, S).pipeInput('ab', 'v', 25);
    const raw = driver.createOutputTopic('out', Serdes.Bytes(), L).readKeyValuesToList();
    expect(raw[0]!.key).toEqual(Buffer.from([0x61, 0x62, 0, 0, 0, 0, 0, 0, 0, 20]));
    expect(WindowedSerdes.timeWindowedSerdeFrom(S, 10).deserialize('out', raw[0]!.key!)).toEqual({
      key: 'ab',
      window: { start: 20, end: 30 },
    });
  });
});

describe('sliding windows', () => {
  it('should create windows [t - d, t] from the records, both ends inclusive', () => {
    const out = run(
      (b) => grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100)).count(),
      [
        ['a', 10], // left window [0,10]
        ['a', 20], // right window of 10 [11,21] gets 20; left window of 20 [10,20] holds 10 and 20
        ['a', 21], // [11,21] now holds 20 and 21; right window of 20 [21,31] holds 21
      ],
    );
    expect(out).toEqual(['a@0/10=1', 'a@11/21=1', 'a@10/20=2', 'a@11/21=2', 'a@21/31=1']);
  });

  it('should leave out records more than the time difference apart', () => {
    const out = run(
      (b) => grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100)).count(),
      [
        ['a', 20],
        ['a', 25],
        ['a', 40], // 15 after 25: its left window [30,40] holds only itself
      ],
    );
    expect(out).toEqual(['a@10/20=1', 'a@21/31=1', 'a@15/25=2', 'a@30/40=1']);
  });

  it('should drop a record whose windows all closed, counting it as late', () => {
    const out = run(
      (b) => grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5)).count(),
      [
        ['a', 40],
        ['a', 24], // 24 + 1 + 10 <= 40 - 5: even its right window has closed
      ],
    );
    expect(out).toEqual(['a@30/40=1']);
    expect(driver!.metrics().droppedByReason).toEqual({ late: 1 });
  });

  it('should aggregate records earlier than the time difference into the window [0, d]', () => {
    const out = run(
      (b) => grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count(),
      [
        ['a', 2],
        ['a', 5],
      ],
    );
    // 5's arrival also creates 2's right window [3,13].
    expect(out).toEqual(['a@0/10=1', 'a@3/13=1', 'a@0/10=2']);
  });
});

describe('session windows', () => {
  it('should merge sessions within the gap, retracting each merged-away session with a tombstone', () => {
    const builder = new StreamsBuilder();
    const out: string[] = [];
    grouped(builder)
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 10))
      .count(Materialized.as('sessions'))
      .toStream()
      .foreach((k, v) => out.push(`${windowed(k)}=${v}`));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'v', 0); // [0,0]
    input.pipeInput('a', 'v', 10); // 10 - 0 > 5: a new session [10,10]
    input.pipeInput('a', 'v', 5); // within 5 of both (and [0,0] is open until 0 + 10 < stream time): merges them
    expect(out).toEqual(['a@0/0=1', 'a@10/10=1', 'a@0/0=null', 'a@10/10=null', 'a@0/10=3']);
    out.length = 0;
    input.pipeInput('a', 'v', 12); // extends [0,10] to [0,12]
    input.pipeInput('a', 'v', 7); // inside [0,12]: updated in place, no tombstone
    expect(out).toEqual(['a@0/10=null', 'a@0/12=4', 'a@0/12=5']);
    expect(
      [...driver.getSessionStore<string, number>('sessions')!.fetch('a')].map((kv) => [windowed(kv.key), kv.value]),
    ).toEqual([['a@0/12', 5]]);
  });

  it('should stamp session updates with the session end and write keys as key + end + start', () => {
    const builder = new StreamsBuilder();
    grouped(builder)
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count()
      .toStream()
      .to('out', Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(S), L));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'v', 100);
    input.pipeInput('a', 'v', 103);
    const raw = driver.createOutputTopic('out', Serdes.Bytes(), L).readRecordsToList();
    expect(raw.map((r) => [r.value, r.timestamp])).toEqual([
      [1, 100],
      [null, 100],
      [2, 103],
    ]);
    expect(raw[2]!.key).toEqual(Buffer.from([0x61, 0, 0, 0, 0, 0, 0, 0, 103, 0, 0, 0, 0, 0, 0, 0, 100]));
  });

  // Mirrors KStreamSessionWindowAggregate.KStreamSessionWindowAggregateProcessor.process: windowCloseTime =
  // observedStreamTime - grace - inactivityGap, and a merged session is late only when its end is below it.
  it('should drop a record whose session would end before stream time - grace - gap', () => {
    const out = run(
      (b) => grouped(b).windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 3)).count(),
      [
        ['a', 20], // stream time 20: sessions ending before 20 - 3 - 5 = 12 are closed
        ['b', 17], // ends at 17: still open
        ['b', 16], // merges with [17,17] into [16,17]: open
        ['c', 12], // [12,12] ends exactly at the close time: on time
        // The store (retention gap + grace = 8) hides sessions ending before 20 - 8 + 1 = 13: [12,12] cannot be
        // merged with, so [11,11] stays alone and is late; so is d's.
        ['c', 11],
        ['d', 11],
        ['e', 13],
        ['e', 12], // merges with the visible [13,13] into [12,13]
      ],
    );
    // Kafka Streams 4.3.1's output for the same input (conformance tool, case session-lateness-boundary).
    expect(out).toEqual([
      'a@20/20=1',
      'b@17/17=1',
      'b@17/17=null',
      'b@16/17=2',
      'c@12/12=1',
      'e@13/13=1',
      'e@13/13=null',
      'e@12/13=2',
    ]);
    // [12,12] is emitted but already expired for its store, which ignores the write and counts it (Kafka Streams'
    // coarse segments would keep it, unreadable all the same).
    expect(driver!.metrics().droppedByReason).toEqual({
      late: 2,
      'expired window (store KSTREAM-AGGREGATE-STATE-STORE-0000000001)': 1,
    });
  });

  it('should reduce and aggregate sessions with a merger', () => {
    const builder = new StreamsBuilder();
    const sums: string[] = [];
    const lists: string[] = [];
    const g = builder.stream('in', Consumed.with(S, Serdes.Int32())).groupByKey();
    const windows = SessionWindows.ofInactivityGapAndGrace(10, 20);
    g.windowedBy(windows)
      .reduce((a, b) => a + b)
      .toStream()
      .foreach((k, v) => sums.push(`${windowed(k)}=${v}`));
    g.windowedBy(windows)
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        (_k, a, b) => a + b,
        Materialized.with(S, S),
      )
      .toStream()
      .foreach((k, v) => lists.push(`${windowed(k)}=${v}`));
    driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, Serdes.Int32());
    input.pipeInput('a', 1, 0);
    input.pipeInput('a', 2, 20);
    input.pipeInput('a', 3, 10);
    expect(sums).toEqual(['a@0/0=1', 'a@20/20=2', 'a@0/0=null', 'a@20/20=null', 'a@0/20=6']);
    expect(lists).toEqual(['a@0/0=1', 'a@20/20=2', 'a@0/0=null', 'a@20/20=null', 'a@0/20=123']);
  });

  it('should not merge a record into a session that has closed', () => {
    const out = run(
      (b) => grouped(b).windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0)).count(),
      [
        ['a', 0],
        ['a', 10],
        ['a', 5], // within 5 of [0,0], but at stream time 10 that session is past retention (gap + grace): only [10,10] merges
      ],
    );
    expect(out).toEqual(['a@0/0=1', 'a@10/10=1', 'a@10/10=null', 'a@5/10=2']);
    expect(driver!.metrics().droppedByReason).toEqual({});
  });

  it('should merge records exactly the inactivity gap apart, even when stream time has moved on to the second', () => {
    const out = run(
      (b) => grouped(b).windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5)).count(),
      [
        ['a', 0],
        ['a', 5],
      ],
    );
    expect(out).toEqual(['a@0/0=1', 'a@0/0=null', 'a@0/5=2']);
  });
});
