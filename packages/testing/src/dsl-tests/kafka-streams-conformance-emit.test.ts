// Kafka Streams conformance of emit-on-window-close (KIP-825): as kafka-streams-conformance.test.ts, each test runs a
// case of the conformance tool and expects Kafka Streams 4.3.1's output record by record.
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamsBuilder } from '@kaskade/dsl';
import { EmitStrategy, SessionWindows, SlidingWindows, TimeWindows } from '@kaskade/dsl';
import { closeDriver, inputStream, run, windowedOut } from './conformance-driver.js';

afterEach(closeDriver);

// The wall-clock throttle of emit-on-window-close is off on both sides (Kafka Streams'
// __emit.interval.ms.kstreams.windowed.aggregation__ = 0): the drivers' clocks stand still.
const noThrottle = { emitOnWindowCloseIntervalMs: 0 };
const onWindowClose = EmitStrategy.onWindowClose();

describe('emit on window close from the aggregate processor (AbstractKStreamTimeWindowAggregateProcessor, KIP-825)', () => {
  it('should emit each closed tumbling window once, by window start then key, and not windows expired from the store', () => {
    const windows = TimeWindows.ofSizeAndGrace(10, 5);
    const expected = [
      'in a=v@1 ->',
      'in a=v@3 ->',
      'in b=v@4 ->',
      'in a=v@12 ->',
      'in b=v@15 -> a@0/10=2@3 b@0/10=1@4',
      'in a=v@14 ->',
      'in c=v@16 ->',
      'in c=v@24 ->',
      'in a=v@26 -> a@10/20=2@14 b@10/20=1@15 c@10/20=1@16',
      'in b=v@60 ->',
      'in a=v@61 ->',
    ];
    const build = (b: StreamsBuilder) =>
      windowedOut(inputStream(b).windowedBy(windows).emitStrategy(onWindowClose).count());
    expect(run(build, expected, noThrottle)).toEqual(expected);
  });

  it('should emit closed hopping windows once each', () => {
    const windows = TimeWindows.ofSizeAndGrace(10, 2).advanceBy(5);
    const expected = [
      'in a=v@1 ->',
      'in a=v@6 ->',
      'in b=v@9 ->',
      'in a=v@13 -> a@0/10=2@6 b@0/10=1@9',
      'in b=v@17 -> a@5/15=2@13 b@5/15=1@9',
      'in a=v@22 -> a@10/20=1@13 b@10/20=1@17',
      'in a=v@40 ->',
    ];
    const build = (b: StreamsBuilder) =>
      windowedOut(inputStream(b).windowedBy(windows).emitStrategy(onWindowClose).count());
    expect(run(build, expected, noThrottle)).toEqual(expected);
  });

  it('should emit closed sliding windows once each (end before the close time)', () => {
    const windows = SlidingWindows.ofTimeDifferenceAndGrace(10, 5);
    const expected = [
      'in a=v@1 ->',
      'in a=v@5 ->',
      'in b=v@8 ->',
      'in a=v@14 ->',
      'in a=v@22 -> a@0/10=2@5 b@0/10=1@8 a@2/12=1@5 a@4/14=2@14 a@6/16=1@14',
      'in b=v@30 -> a@12/22=2@22',
      'in a=v@60 ->',
    ];
    const build = (b: StreamsBuilder) =>
      windowedOut(inputStream(b).windowedBy(windows).emitStrategy(onWindowClose).count());
    expect(run(build, expected, noThrottle)).toEqual(expected);
  });

  it('should emit closed session windows once each (end + gap + grace <= stream time)', () => {
    const windows = SessionWindows.ofInactivityGapAndGrace(5, 2);
    const expected = [
      'in a=v@1 ->',
      'in a=v@4 ->',
      'in b=v@6 ->',
      'in a=v@12 -> a@1/4=2@4',
      'in b=v@20 -> b@6/6=1@6 a@12/12=1@12',
      'in a=v@40 -> b@20/20=1@20',
    ];
    const build = (b: StreamsBuilder) =>
      windowedOut(inputStream(b).windowedBy(windows).emitStrategy(onWindowClose).count());
    expect(run(build, expected, noThrottle)).toEqual(expected);
  });

  it('should emit a session again, merged, when an out-of-order record extends it after it closed', () => {
    const windows = SessionWindows.ofInactivityGapWithNoGrace(10);
    const expected = [
      'in a=v@0 ->',
      'in b=v@11 -> a@0/0=1@0',
      'in a=v@8 ->', // merges a@0/0, already emitted: a@0/8 ends at 8 >= close time 1, not late
      'in c=v@5 ->',
      'in c=v@8 ->',
      'in b=v@30 -> c@5/8=2@8 a@8/8=1@8 b@11/11=1@11',
      'in a=v@2 ->', // late: dropped
      'in z=v@9 ->',
      'in y=v@9 ->',
      'in x=v@26 ->',
      'in d=v@26 ->',
      'in d=v@60 -> d@26/26=1@26 x@26/26=1@26 b@30/30=1@30',
    ];
    const build = (b: StreamsBuilder) =>
      windowedOut(inputStream(b).windowedBy(windows).emitStrategy(onWindowClose).count());
    expect(run(build, expected, noThrottle)).toEqual(expected);
  });

  it('should emit closed sessions by end, start, then key, with grace, dropping late records', () => {
    const windows = SessionWindows.ofInactivityGapAndGrace(5, 10);
    const expected = [
      'in a=v@3 ->',
      'in b=v@10 ->',
      'in a=v@17 ->',
      'in b=v@19 -> a@3/3=1@3',
      'in a=v@6 ->',
      'in b=v@2 ->',
      'in c=v@40 -> a@6/6=1@6 b@10/10=1@10 a@17/17=1@17 b@19/19=1@19',
      'in b=v@20 ->',
      'in a=v@18 ->',
      'in c=v@100 -> c@40/40=1@40',
    ];
    const build = (b: StreamsBuilder) =>
      windowedOut(inputStream(b).windowedBy(windows).emitStrategy(onWindowClose).count());
    expect(run(build, expected, noThrottle)).toEqual(expected);
  });

  it('should emit at most once per emit interval of wall-clock time, checked at every record (default 1 s)', () => {
    const windows = TimeWindows.ofSizeAndGrace(10, 5);
    const expected = ['in a=v@1 ->', 'in a=v@20 ->', 'in a=v@40 ->'];
    const build = (b: StreamsBuilder) =>
      windowedOut(inputStream(b).windowedBy(windows).emitStrategy(onWindowClose).count());
    expect(run(build, expected)).toEqual(expected);
  });
});
