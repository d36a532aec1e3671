import { describe, expect, it } from 'vitest';
import { ConsumerLags, composeStatistics, taskIdlingFor } from './consumer-lags.js';

/** A librdkafka consumer statistics report (the fields task idling reads) for one topic. */
function report(topic: string, partitions: { [p: string]: object }): string {
  return JSON.stringify({ name: 'c', type: 'consumer', topics: { [topic]: { topic, partitions } } });
}

const active = (p: object) => ({ fetch_state: 'active', ...p });

describe('ConsumerLags', () => {
  it('should not know a lag before a report shows the partition fetching', () => {
    const lags = new ConsumerLags(false);
    expect(lags.fetchedLag('t', 0, -1, 0)).toBe(-1);
    lags.onStatistics(report('t', { '0': { fetch_state: 'offset-query', hi_offset: 10, next_offset: -1001 } }), 0);
    expect(lags.fetchedLag('t', 0, -1, 100)).toBe(-1);
    lags.onStatistics('{not json'); // ignored
    expect(lags.fetchedLag('t', 0, -1, 200)).toBe(-1);
  });

  it('should count a partition held back on purpose (a rate limit) as caught up, whatever its lag', () => {
    const lags = new ConsumerLags(false);
    lags.onStatistics(report('t', { '0': active({ hi_offset: 10, ls_offset: 10, next_offset: 6, app_offset: 6 }) }), 0);
    expect(lags.fetchedLag('t', 0, 6, 0)).toBe(4);
    lags.heldBack = (topic, partition) => topic === 't' && partition === 0;
    expect(lags.fetchedLag('t', 0, 6, 0)).toBe(0);
    expect(lags.fetchedLag('u', 0, -1, 0)).toBe(-1);
  });

  it('should say caught up when the application got the end, or before it got anything when nothing is queued', () => {
    const lags = new ConsumerLags(false);
    lags.onStatistics(
      report('t', {
        '-1': active({ hi_offset: 99, next_offset: 0, fetchq_cnt: 0 }),
        '0': active({ hi_offset: 0, ls_offset: 0, next_offset: 0, app_offset: -1001, fetchq_cnt: 0 }),
        '1': active({ hi_offset: 10, ls_offset: 10, next_offset: 10, app_offset: 6, fetchq_cnt: 4 }),
        '2': active({ hi_offset: 10, ls_offset: 10, next_offset: 6, app_offset: 6, fetchq_cnt: 0 }),
        '3': active({ hi_offset: 10, ls_offset: 10, next_offset: 10, app_offset: 10, fetchq_cnt: 0 }),
      }),
      0,
    );
    expect(lags.fetchedLag('t', -1, -1, 0)).toBe(-1); // librdkafka's own queue is no partition
    expect(lags.fetchedLag('t', 0, -1, 0)).toBe(0); // an empty partition
    expect(lags.fetchedLag('t', 1, 6, 0)).toBe(4); // 4 fetched, not yet handed over
    expect(lags.fetchedLag('t', 1, 10, 0)).toBe(0); // since handed over: the task's own position is newer
    expect(lags.fetchedLag('t', 2, 6, 0)).toBe(4); // 4 records still on the broker
    expect(lags.fetchedLag('t', 3, -1, 0)).toBe(0); // all handed over before the task's queue was (re)filled
    expect(lags.fetchedLag('other', 0, -1, 0)).toBe(-1);
  });

  it("should not read the consumer's queue length as a partition's: others' queued records do not hold it back", () => {
    // librdkafka repeats the length of the consumer's one queue for every partition. An empty partition fetched to its
    // end used to count as behind for as long as any other partition had records queued.
    const lags = new ConsumerLags(true);
    lags.onStatistics(
      report('t', {
        '0': active({ hi_offset: 0, ls_offset: 0, next_offset: 0, app_offset: -1001, fetchq_cnt: 800, msgs: 0 }),
        '1': active({ hi_offset: 300, ls_offset: 300, next_offset: 300, app_offset: 300, fetchq_cnt: 800 }),
        // Only an aborted transaction and its marker, not yet skipped: fetched, not handed over.
        '2': active({ hi_offset: 6, ls_offset: 6, next_offset: 6, app_offset: -1001, fetchq_cnt: 800, msgs: 1 }),
      }),
      0,
    );
    expect(lags.fetchedLag('t', 0, -1, 0)).toBe(0); // fetched nothing, at the end: nothing of it can be queued
    expect(lags.fetchedLag('t', 1, -1, 0)).toBe(0);
    expect(lags.fetchedLag('t', 2, -1, 0)).toBe(6); // what is queued may be its own
  });

  it('should stop waiting, after 2 s of asking, for a partition fetched to its end whose lag stands still', () => {
    const lags = new ConsumerLags(false);
    const stuck = report('t', {
      '0': active({ hi_offset: 9, next_offset: 9, app_offset: -1001, fetchq_cnt: 800, msgs: 9 }),
    });
    lags.onStatistics(stuck, 0);
    for (let t = 0; t < ConsumerLags.STALLED_MS; t += 500) expect(lags.fetchedLag('t', 0, -1, t)).toBe(9);
    lags.onStatistics(stuck, 1_500); // the same numbers again: nothing moved
    expect(lags.fetchedLag('t', 0, -1, ConsumerLags.STALLED_MS)).toBe(0);
    // Time the task did not spend asking (a long commit) does not count: a new wait starts.
    const later = ConsumerLags.STALLED_MS + 5_000;
    expect(lags.fetchedLag('t', 0, -1, later)).toBe(9);
    expect(lags.fetchedLag('t', 0, -1, later + 1_000)).toBe(9);
    expect(lags.fetchedLag('t', 0, -1, later + ConsumerLags.STALLED_MS)).toBe(0);
    // Moving again: waited for again.
    lags.onStatistics(
      report('t', { '0': active({ hi_offset: 12, next_offset: 12, app_offset: 9, fetchq_cnt: 5 }) }),
      9_000,
    );
    expect(lags.fetchedLag('t', 0, 9, 9_100)).toBe(3);
  });

  it('should wait as Kafka Streams for a partition with records still on the broker, however long', () => {
    // Fetch position before the end: fetching, paused (a rate limit), or its leader moving.
    const lags = new ConsumerLags(false);
    lags.onStatistics(report('t', { '0': active({ hi_offset: 5, next_offset: 2, app_offset: 2, fetchq_cnt: 0 }) }), 0);
    for (let t = 0; t <= 60_000; t += 500) expect(lags.fetchedLag('t', 0, 2, t)).toBe(3);
  });

  it('should stop waiting for a lag that stays unknown for 10 s of asking', () => {
    const lags = new ConsumerLags(false);
    for (let t = 0; t < ConsumerLags.UNKNOWN_MS; t += 500) expect(lags.fetchedLag('u', 0, -1, t)).toBe(-1);
    expect(lags.fetchedLag('u', 0, -1, ConsumerLags.UNKNOWN_MS)).toBe(0);
    // Asked again after a pause: a new wait.
    expect(lags.fetchedLag('u', 0, -1, 60_000)).toBe(-1);
  });

  it('should measure against the last stable offset under read_committed (transaction markers included)', () => {
    const lags = new ConsumerLags(true);
    // Last record at offset 8, its commit marker at 9: the task's position is 9; librdkafka's fetch position and
    // application offset are 10, past the marker.
    lags.onStatistics(
      report('t', { '0': active({ hi_offset: 12, ls_offset: 10, next_offset: 10, app_offset: 10, fetchq_cnt: 3 }) }),
      0,
    );
    expect(lags.fetchedLag('t', 0, 9, 0)).toBe(0);
    const uncommitted = new ConsumerLags(false);
    uncommitted.onStatistics(
      report('t', { '0': active({ hi_offset: 12, ls_offset: 10, next_offset: 10, app_offset: 10, fetchq_cnt: 0 }) }),
      0,
    );
    expect(uncommitted.fetchedLag('t', 0, 9, 0)).toBe(2);
  });
});

describe('taskIdlingFor', () => {
  it('should idle only when enabled and some sub-topology reads several topics', () => {
    const join = new Map([
      ['a', 0],
      ['b', 0],
    ]);
    const single = new Map([
      ['a', 0],
      ['b', 1],
    ]);
    expect(taskIdlingFor(0, join, false)?.maxTaskIdleMs).toBe(0);
    expect(taskIdlingFor(250, join, true)?.maxTaskIdleMs).toBe(250);
    expect(taskIdlingFor(-1, join, false)).toBeUndefined();
    expect(taskIdlingFor(0, single, false)).toBeUndefined();
  });

  it('should feed one statistics report to both listeners', () => {
    const got: string[] = [];
    const both = composeStatistics(
      (j) => got.push(`a${j}`),
      (j) => got.push(`b${j}`),
    )!;
    both('1');
    expect(got).toEqual(['a1', 'b1']);
    const one = (j: string) => got.push(j);
    expect(composeStatistics(one, undefined)).toBe(one);
    expect(composeStatistics(undefined, undefined)).toBeUndefined();
  });
});
