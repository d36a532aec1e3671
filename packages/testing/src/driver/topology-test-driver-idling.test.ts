// Task idling in the driver, as in Kafka Streams' TopologyTestDriver: every piped record counts as fetched (lags are
// 0), so with the default maxTaskIdleMs (0) a record is processed as soon as it is piped, and with a positive one a
// task with an empty input partition waits for the driver's wall clock to pass it (or for data on that partition).
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, Topology } from '@kaskade/core';
import { TopologyTestDriver } from './topology-test-driver.js';
import { mapper } from './driver-test-processors.js';

const S = Serdes.String();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function merged(): Topology {
  return new Topology()
    .addSource('left', 'left', { keySerde: S, valueSerde: S })
    .addSource('right', 'right', { keySerde: S, valueSerde: S })
    .addProcessor(
      'tag',
      mapper<string, string, string, string>((r) => r),
      'left',
      'right',
    )
    .addSink('out', 'out', { keySerde: S, valueSerde: S }, 'tag');
}

describe('TopologyTestDriver task idling', () => {
  it('should process a piped record at once with the default maxTaskIdleMs (0)', () => {
    driver = new TopologyTestDriver(merged(), { initialWallClockTimeMs: 0 });
    const left = driver.createInputTopic('left', S, S);
    const out = driver.createOutputTopic('out', S, S);
    left.pipeInput('k', 'L1', 10);
    expect(out.readValuesToList()).toEqual(['L1']);
  });

  it('should hold a record back for maxTaskIdleMs of wall-clock time while the other partition is empty', () => {
    driver = new TopologyTestDriver(merged(), { initialWallClockTimeMs: 0, maxTaskIdleMs: 100 });
    const left = driver.createInputTopic('left', S, S);
    const right = driver.createInputTopic('right', S, S);
    const out = driver.createOutputTopic('out', S, S);
    left.pipeInput('k', 'L30', 30);
    left.pipeInput('k', 'L50', 50);
    expect(out.readValuesToList()).toEqual([]); // right is empty: idling until wall clock 100
    driver.advanceWallClockTime(99);
    expect(out.readValuesToList()).toEqual([]);
    right.pipeInput('k', 'R20', 20); // data on right: both have heads, the oldest goes first
    expect(out.readValuesToList()).toEqual(['R20']); // then right is empty again: idling restarts at 99
    driver.advanceWallClockTime(99);
    expect(out.readValuesToList()).toEqual([]);
    driver.advanceWallClockTime(1); // 199: idled long enough, the task processes without right
    expect(out.readValuesToList()).toEqual(['L30', 'L50']);
  });

  it('should never wait with maxTaskIdleMs -1', () => {
    driver = new TopologyTestDriver(merged(), { initialWallClockTimeMs: 0, maxTaskIdleMs: -1 });
    const left = driver.createInputTopic('left', S, S);
    const out = driver.createOutputTopic('out', S, S);
    left.pipeInput('k', 'L1', 10);
    expect(out.readValuesToList()).toEqual(['L1']);
  });
});
