// Versioned tables (KIP-889/KIP-914): a table materialized in a versioned store, and stream-table joins that look up
// the version valid at the stream record's timestamp. Expected lines are Kafka Streams 4.3.1's output for the same
// topology and inputs (the conformance tool's cases stream-versioned-table-*-run and versioned-table-source-run).
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced } from '@kaskade/dsl';
import type { KTable, StreamsBuilder } from '@kaskade/dsl';
import { Stores } from '@kaskade/state-store';
import { S } from './dsl-test-helpers.js';
import { closeDriver, currentDriver, run } from './conformance-driver.js';

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
