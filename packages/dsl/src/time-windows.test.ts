import { describe, expect, it } from 'vitest';
import { TopologyError } from '@kaskade/processor-api';
import { JoinWindows } from './join-windows.js';
import { SessionWindows } from './session-windows.js';
import { SlidingWindows } from './sliding-windows.js';
import { TimeWindows } from './time-windows.js';

describe('window definitions', () => {
  it('should give a tumbling window per record, aligned to the epoch', () => {
    const w = TimeWindows.ofSizeWithNoGrace(10);
    expect(w.windowsFor(0)).toEqual([{ start: 0, end: 10 }]);
    expect(w.windowsFor(19)).toEqual([{ start: 10, end: 20 }]);
    expect(w.windowsFor(20)).toEqual([{ start: 20, end: 30 }]);
  });

  it('should give size / advance hopping windows per record, none starting before 0', () => {
    const w = TimeWindows.ofSizeAndGrace(10, 3).advanceBy(5);
    expect(w.graceMs).toBe(3);
    expect(w.windowsFor(12)).toEqual([
      { start: 5, end: 15 },
      { start: 10, end: 20 },
    ]);
    expect(w.windowsFor(4)).toEqual([{ start: 0, end: 10 }]);
    const thirds = TimeWindows.ofSizeWithNoGrace(9).advanceBy(3);
    expect(thirds.windowsFor(100).map((x) => x.start)).toEqual([93, 96, 99]);
  });

  it('should refuse invalid sizes, advances, gaps and graces with a TopologyError', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrowError(TopologyError);
    expect(() => TimeWindows.ofSizeAndGrace(10, -1)).toThrowError(/grace must be an integer >= 0/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrowError(/must not be larger than the size/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(0)).toThrowError(TopologyError);
    expect(() => SlidingWindows.ofTimeDifferenceWithNoGrace(0)).toThrowError(TopologyError);
    expect(() => SessionWindows.ofInactivityGapAndGrace(0, 1)).toThrowError(TopologyError);
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(5).before(-6)).toThrowError(/must not be negative/);
  });

  it('should bound join windows by before and after', () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace(10, 2).before(3);
    expect([w.beforeMs, w.afterMs, w.graceMs, w.sizeMs]).toEqual([3, 10, 2, 13]);
  });
});
