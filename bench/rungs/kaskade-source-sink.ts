import type { Processor, ProcessorContext, Record } from '@kaskade/processor-api';
import { Serdes, Topology } from '@kaskade/core';
import { runKaskade } from '../lib/kaskade-runner.js';
import type { Progress } from '../lib/progress.js';
import type { Rung } from '../lib/rung.js';

/** Forwards every record unchanged (Kafka Streams' `peek`), counting it. */
class PeekProcessor implements Processor<Buffer, Buffer, Buffer, Buffer> {
  readonly #progress: Progress;
  #context!: ProcessorContext<Buffer, Buffer>;

  constructor(progress: Progress) {
    this.#progress = progress;
  }

  init(context: ProcessorContext<Buffer, Buffer>): void {
    this.#context = context;
  }

  process(record: Record<Buffer, Buffer>): void {
    this.#progress.add(1);
    this.#context.forward(record);
  }
}

/** Kafka Streams' SimpleBenchmark "streamprocess" with a sink: source -> peek -> sink, bytes in and out. */
export const kaskadeSourceSink: Rung = {
  name: 'kaskade-source-sink',
  description: 'KafkaStreams: source -> peek -> sink, Bytes serdes, at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  run: (ctx) =>
    runKaskade(ctx, 'at_least_once', (progress) =>
      new Topology()
        .addSource('source', ctx.inputTopic, { keySerde: Serdes.Bytes(), valueSerde: Serdes.Bytes() })
        .addProcessor('peek', () => new PeekProcessor(progress), 'source')
        .addSink('sink', ctx.outputTopic, { keySerde: Serdes.Bytes(), valueSerde: Serdes.Bytes() }, 'peek'),
    ),
};
