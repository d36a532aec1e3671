import { Serdes } from '@kaskade/core';
import { Consumed, JoinWindows, Produced, StreamJoined, StreamsBuilder } from '@kaskade/dsl';
import { streamJoinPairs } from '../lib/data.js';
import { runUntilProcessed } from '../lib/kaskade-runner.js';
import type { Rung } from '../lib/rung.js';
import { concatValues } from '../lib/value-joiner.js';

/**
 * Records of the same key join when their timestamps are at most 1 s apart. Each key turns up about once a second
 * of event time (lib/data.ts), half of it on each side, so a record finds about one partner.
 */
const JOIN_WINDOW_MS = 1_000;
/**
 * Grace, as SimpleBenchmark's `JoinWindows.of(10 s)` has (24 h there): a drained backlog is not in time order across
 * the two topics (a task takes whatever its partitions have fetched, up to a fetch of one side ahead of the other,
 * seconds of event time), and no pair may be lost to that. It also means that, up to ~600 000 records (60 s of event
 * time), unmatched left records wait in the outer-join store and are never emitted during the run.
 */
const JOIN_GRACE_MS = 60_000;

/**
 * SimpleBenchmark's "streamstreamjoin" with a sink: the input split over two streams (even records left, odd right,
 * same keys), left-joined within 1 s. The output holds at least every matching pair, counted from the data.
 */
export const dslStreamStreamJoin: Rung = {
  name: 'dsl-stream-stream-join',
  description:
    'DSL: stream leftJoin stream (input split in two topics, JoinWindows 1 s, grace 60 s, persistent, logged) -> to, at-least-once',
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
