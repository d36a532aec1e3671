// Versioned tables (KIP-889/KIP-914): a table materialized in a versioned store, and stream-table joins that look up
// the version valid at the stream record's timestamp. Expected lines are Kafka Streams 4.3.1's output for the same
// topology and inputs (the conformance tool's cases stream-versioned-table-*-run and versioned-table-source-run).
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Joined, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';
import type { KTable } from '@kaskade/dsl';
import { Stores } from '@kaskade/state-store';
import { S } from './dsl-test-helpers.js';
import { closeDriver, currentDriver, run } from './conformance-driver.js';
import { TopologyTestDriver } from '../driver/topology-test-driver.js';

afterEach(closeDriver);

/** users over a versioned store with a history retention of 100 ms. */
const versionedUsers = (b: StreamsBuilder): KTable<string, string> =>
  b.table(
    'users',
    Consumed.with(S, S),
    Materialized.as<string, string>(Stores.persistentVersionedKeyValueStore('users-v', 100))
      .withKeySerde(S)
      .withValueSerde(S),
  );

describe('stream joins with a versioned table (Kafka Streams results)', () => {
  it('should join the version valid at the stream record time, out-of-order records on both sides (inner)', () => {
    const expected = [
      'users u1=a@10 ->',
      'users u1=b@20 ->',
      'clicks u1=x@15 -> u1=x+a@15',
      'clicks u1=y@25 -> u1=y+b@25',
      'clicks u1=z@5 ->',
      'users u1=old@12 ->',
      'clicks u1=w@13 -> u1=w+old@13',
      'users u1=null@30 ->',
      'clicks u1=v@35 ->',
      'clicks u1=q@22 -> u1=q+b@22',
      'users u2=k@500 ->',
      'clicks u1=r@15 ->',
      'clicks u1=s@450 ->',
      'users u1=late@350 ->',
      'users u1=new@460 ->',
      'clicks u1=t@455 ->',
    ];
    const build = (b: StreamsBuilder) =>
      b
        .stream<string, string>('clicks', Consumed.with(S, S))
        .join(versionedUsers(b), (c, u) => `${c}+${u}`)
        .to('out', Produced.with(S, S));
    expect(run(build, expected)).toEqual(expected);
  });

  it('should join null where no version is valid or the time is past the history retention (left)', () => {
    const expected = [
      'users u1=a@10 ->',
      'users u1=b@20 ->',
      'clicks u1=x@15 -> u1=x+a@15',
      'clicks u1=y@25 -> u1=y+b@25',
      'clicks u1=z@5 -> u1=z+null@5',
      'users u1=old@12 ->',
      'clicks u1=w@13 -> u1=w+old@13',
      'users u1=null@30 ->',
      'clicks u1=v@35 -> u1=v+null@35',
      'clicks u1=q@22 -> u1=q+b@22',
      'users u2=k@500 ->',
      'clicks u1=r@15 -> u1=r+null@15',
      'clicks u1=s@450 -> u1=s+null@450',
      'users u1=late@350 ->',
      'users u1=new@460 ->',
      'clicks u1=t@455 -> u1=t+null@455',
    ];
    const build = (b: StreamsBuilder) =>
      b
        .stream<string, string>('clicks', Consumed.with(S, S))
        .leftJoin(versionedUsers(b), (c, u) => `${c}+${u === null ? 'null' : u}`)
        .to('out', Produced.with(S, S));
    expect(run(build, expected)).toEqual(expected);
  });

  it('should forward out-of-order updates within the history retention and drop older ones', () => {
    const expected = [
      'users u1=a@10 -> u1=a@10',
      'users u1=b@20 -> u1=b@20',
      'users u1=old@12 -> u1=old@12',
      'users u1=null@30 -> u1=null@30',
      'users u2=k@500 -> u2=k@500',
      'users u1=late@350 ->',
      'users u1=new@460 -> u1=new@460',
    ];
    expect(run((b) => versionedUsers(b).toStream().to('out', Produced.with(S, S)), expected)).toEqual(expected);
    expect(currentDriver().metrics().droppedByReason['expired versioned write']).toBe(1);
  });
});

describe('stream joins with a versioned table and a grace period (Kafka Streams results)', () => {
  const graceJoin = (left: boolean) => (b: StreamsBuilder) => {
    const clicks = b.stream<string, string>('clicks', Consumed.with(S, S));
    const joined = Joined.with(S, S, S).withGracePeriod(10);
    const joiner = (c: string, u: string | null) => `${c}+${u === null ? 'null' : u}`;
    (left ? clicks.leftJoin(versionedUsers(b), joiner, joined) : clicks.join(versionedUsers(b), joiner, joined)).to(
      'out',
      Produced.with(S, S),
    );
  };
  const lines = (left: boolean) => [
    'users u1=a@10 ->',
    'clicks u1=x@15 ->',
    'users u1=b@12 ->',
    'clicks u1=y@30 -> u1=x+b@15',
    'clicks u1=z@18 -> u1=z+b@18',
    'users u1=c@25 ->',
    'clicks u2=q@33 ->',
    'clicks u1=w@41 -> u1=y+c@30',
    'clicks u1=v@41 ->',
    'clicks u1=s@39 ->',
    `clicks u1=t@60 ->${left ? ' u2=q+null@33' : ''} u1=s+c@39 u1=w+c@41 u1=v+c@41`,
    'clicks u1=r@50 -> u1=r+c@50',
    'clicks u1=e@70 -> u1=t+c@60',
  ];

  it('should hold stream records for the grace period and join them in time order as of their time (inner)', () => {
    expect(run(graceJoin(false), lines(false))).toEqual(lines(false));
  });

  it('should hold stream records for the grace period and join them in time order as of their time (left)', () => {
    expect(run(graceJoin(true), lines(true))).toEqual(lines(true));
  });

  it('should describe the buffer store as Kafka Streams, and refuse a grace period on an unversioned table', () => {
    const b = new StreamsBuilder();
    graceJoin(false)(b);
    expect(b.build().describe().toString()).toContain(
      'Processor: KSTREAM-JOIN-0000000003 (stores: [KSTREAM-JOIN-0000000003-Buffer, users-v])',
    );
    const plain = new StreamsBuilder();
    plain
      .stream<string, string>('clicks', Consumed.with(S, S))
      .join(
        plain.table<string, string>('users', Consumed.with(S, S)),
        (c, u) => c + u,
        Joined.with(S, S, S).withGracePeriod(5),
      )
      .to('out', Produced.with(S, S));
    expect(() => new TopologyTestDriver(plain.build())).toThrow(/grace period needs a versioned table/);
  });
});
