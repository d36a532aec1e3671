// The application module of the stream-threads bench (bench/stream-threads.ts), for KafkaStreams.fromModule: each
// stream thread's worker process imports it and builds the same topology.
import { Serdes, silentLogger, Topology } from '@kaskade/core';
import type { StreamsApp } from '@kaskade/core';
import { Consumed, Materialized, Produced, StreamsBuilder } from '@kaskade/dsl';

export interface ThreadsBenchArgs {
  readonly topology: 'passthrough' | 'count';
  readonly threads: number;
  readonly bootstrapServers: string;
  readonly applicationId: string;
  readonly input: string;
  readonly output: string;
  readonly stateDir: string;
}

export default function threadsBenchApp(args: ThreadsBenchArgs): StreamsApp {
  let topology: Topology;
  if (args.topology === 'passthrough') {
    // The bench's kaskade-source-sink without its probe: source -> sink, bytes in and out.
    topology = new Topology()
      .addSource('source', args.input, { keySerde: Serdes.Bytes(), valueSerde: Serdes.Bytes() })
      .addSink('sink', args.output, { keySerde: Serdes.Bytes(), valueSerde: Serdes.Bytes() }, 'source');
  } else {
    // The bench's dsl-count: persistent, logged, no cache.
    const builder = new StreamsBuilder();
    builder
      .stream(args.input, Consumed.with(Serdes.Int32(), Serdes.Bytes()))
      .groupByKey()
      .count(Materialized.with<number, number>(Serdes.Int32(), Serdes.Int64()).withCachingDisabled())
      .toStream()
      .to(args.output, Produced.with(Serdes.Int32(), Serdes.Int64()));
    topology = builder.build();
  }
  return {
    topology,
    config: {
      applicationId: args.applicationId,
      bootstrapServers: args.bootstrapServers,
      stateDir: args.stateDir,
      numStreamThreads: args.threads,
      maxPollRecords: 1000, // the bench's default batch
      logger: silentLogger,
    },
  };
}
