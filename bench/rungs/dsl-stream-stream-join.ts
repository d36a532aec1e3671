import { Serdes } from '@kaskade/core';
import { Consumed, JoinWindows, Produced, StreamJoined, StreamsBuilder } from '@kaskade/dsl';
import { streamJoinPairs } from '../lib/data.js';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung } from '../lib/rung.js';
import { concatValues } from '../lib/value-joiner.js';
import { JOIN_WINDOW_MS } from '../lib/windows.js';

/**
 * Grace of 24 h, as SimpleBenchmark's `JoinWindows.of(10 s)` has: in a drained backlog no record may be late. The
 * runtime takes whatever its partitions have fetched, so one side's partition can run seconds of event time ahead of
 * the other's (measured: up to the whole span of a 100 000-record input, 10 s); with a short grace the join would
 * lose pairs to expired store entries. It also means that unmatched left records wait in the outer-join store and
 * are never emitted during the run, as in SimpleBenchmark.
 */
const JOIN_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * SimpleBenchmark's "streamstreamjoin" with a sink: the input split over two streams (even records left, odd right,
 * same keys), left-joined within 1 s. The output holds at least every matching pair, counted from the data.
 */
export const dslStreamStreamJoin: Rung = {
  name: 'dsl-stream-stream-join',
  description:
    'DSL: stream leftJoin stream (input split in two topics, JoinWindows 1 s, grace 24 h, persistent, logged) -> to, at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  inputs: ['split'],
  minOutput: (records) => streamJoinPairs(records, JOIN_WINDOW_MS),
  run: (ctx) =>
    runUntilProcessed(ctx, 'at_least_once', ctx.records, (probe) => {
      const builder = new StreamsBuilder();
      const left = builder.stream(ctx.leftTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()));
      const right = builder.stream(ctx.rightTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()));
      left
        .leftJoin(
          right,
          concatValues,
          JoinWindows.ofTimeDifferenceAndGrace(JOIN_WINDOW_MS, JOIN_GRACE_MS),
          StreamJoined.with(Serdes.Int32(), Serdes.Bytes(), Serdes.Bytes()),
        )
        .to(ctx.outputTopic, Produced.with(Serdes.Int32(), Serdes.Bytes()));
      return builder.build();
    }),
};

/**
 * The same with task idling off (`maxTaskIdleMs: -1`): the task never waits for an empty input partition, so one side
 * can run ahead of the other (as before task idling existed); its CPU per record next to the rung above is the cost
 * of processing both inputs in timestamp order (more left records wait in the outer-join store for their match).
 */
export const dslStreamStreamJoinNoIdle: Rung = {
  name: 'dsl-stream-stream-join-noidle',
  description: 'dsl-stream-stream-join with task idling off (maxTaskIdleMs -1): what waiting for both inputs costs',
  guarantee: 'at_least_once',
  writesOutput: true,
  inputs: ['split'],
  minOutput: (records) => streamJoinPairs(records, JOIN_WINDOW_MS),
  run: (ctx) =>
    runUntilProcessed(
      ctx,
      'at_least_once',
      ctx.records,
      (probe) => {
        const builder = new StreamsBuilder();
        const left = builder.stream(ctx.leftTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()));
        const right = builder.stream(ctx.rightTopic, Consumed.with(probe.wrap(Serdes.Int32()), Serdes.Bytes()));
        left
          .leftJoin(
            right,
            concatValues,
            JoinWindows.ofTimeDifferenceAndGrace(JOIN_WINDOW_MS, JOIN_GRACE_MS),
            StreamJoined.with(Serdes.Int32(), Serdes.Bytes(), Serdes.Bytes()),
          )
          .to(ctx.outputTopic, Produced.with(Serdes.Int32(), Serdes.Bytes()));
        return builder.build();
      },
      { config: { maxTaskIdleMs: -1 } },
    ),
};
