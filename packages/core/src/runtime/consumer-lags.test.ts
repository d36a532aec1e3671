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
    expect(lags.fetchedLag('t', 0, -1)).toBe(-1);
    lags.onStatistics(report('t', { '0': { fetch_state: 'offset-query', hi_offset: 10, next_offset: -1001 } }));
    expect(lags.fetchedLag('t', 0, -1)).toBe(-1);
    lags.onStatistics('{not json'); // ignored
    expect(lags.fetchedLag('t', 0, -1)).toBe(-1);
  });

  it('should say caught up when librdkafka has fetched to the end and queued nothing, or the task got the end', () => {
    const lags = new ConsumerLags(false);
    lags.onStatistics(
      report('t', {
        '-1': active({ hi_offset: 99, next_offset: 0, fetchq_cnt: 0 }),
        '0': active({ hi_offset: 10, ls_offset: 10, next_offset: 10, fetchq_cnt: 0 }),
        '1': active({ hi_offset: 10, ls_offset: 10, next_offset: 10, fetchq_cnt: 4 }),
        '2': active({ hi_offset: 10, ls_offset: 10, next_offset: 6, fetchq_cnt: 0 }),
      }),
    );
    expect(lags.fetchedLag('t', -1, -1)).toBe(-1); // librdkafka's own queue is no partition
    expect(lags.fetchedLag('t', 0, -1)).toBe(0); // an empty partition (or all fetched before the task started)
    expect(lags.fetchedLag('t', 1, 6)).toBeGreaterThan(0); // 4 fetched, not yet handed over
    expect(lags.fetchedLag('t', 1, 10)).toBe(0); // since handed over: the task's own position is newer
    expect(lags.fetchedLag('t', 2, 6)).toBe(4); // 4 records still on the broker
    expect(lags.fetchedLag('other', 0, -1)).toBe(-1);
  });

  it('should measure against the last stable offset under read_committed (transaction markers included)', () => {
    const lags = new ConsumerLags(true);
    // Last record at offset 8, its commit marker at 9: the task's position is 9, librdkafka's fetch position 10.
    lags.onStatistics(report('t', { '0': active({ hi_offset: 12, ls_offset: 10, next_offset: 10, fetchq_cnt: 0 }) }));
    expect(lags.fetchedLag('t', 0, 9)).toBe(0);
    const uncommitted = new ConsumerLags(false);
    uncommitted.onStatistics(
      report('t', { '0': active({ hi_offset: 12, ls_offset: 10, next_offset: 10, fetchq_cnt: 0 }) }),
    );
    expect(uncommitted.fetchedLag('t', 0, 9)).toBe(3);
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
