import type { KeyValueStore, Processor, ProcessorContext, Record } from '@kaskade/processor-api';
import type { ProcessingGuarantee } from '@kaskade/core';
import { Serdes, Topology } from '@kaskade/core';
import { Stores } from '@kaskade/state-store';
import { runKaskade } from '../lib/kaskade-runner.js';
import type { Progress } from '../lib/progress.js';
import type { Rung, RungContext, RungResult } from '../lib/rung.js';

const STORE = 'store';

/** One read and one write of the record's key per record, then forward (SimpleBenchmark's "processwithstatestore"). */
class GetPutProcessor implements Processor<number, Buffer, number, Buffer> {
  readonly #progress: Progress;
  #context!: ProcessorContext<number, Buffer>;
  #store!: KeyValueStore<number, Buffer>;

  constructor(progress: Progress) {
    this.#progress = progress;
  }

  init(context: ProcessorContext<number, Buffer>): void {
    this.#context = context;
    this.#store = context.getStateStore<KeyValueStore<number, Buffer>>(STORE);
  }

  process(record: Record<number, Buffer>): void {
    this.#progress.add(1);
    this.#store.get(record.key);
    this.#store.put(record.key, record.value);
    this.#context.forward(record);
  }
}

/**
 * Source (Int32 keys, as SimpleBenchmark) -> get+put on a persistent key-value store -> sink. The store has Kafka
 * Streams' builder defaults: changelog on, record cache off, so every put reaches the changelog.
 */
export function runKvStore(ctx: RungContext, guarantee: ProcessingGuarantee): Promise<RungResult> {
  return runKaskade(ctx, guarantee, (progress) =>
    new Topology()
      .addSource('source', ctx.inputTopic, { keySerde: Serdes.Int32(), valueSerde: Serdes.Bytes() })
      .addProcessor('get-put', () => new GetPutProcessor(progress), 'source')
      .addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.Int32(), Serdes.Bytes()),
        'get-put',
      )
      .addSink('sink', ctx.outputTopic, { keySerde: Serdes.Int32(), valueSerde: Serdes.Bytes() }, 'get-put'),
  );
}

export const kaskadeKvStore: Rung = {
  name: 'kaskade-kv-store',
  description: 'KafkaStreams: source -> get+put on a persistent KV store (logged, no cache) -> sink, at-least-once',
  guarantee: 'at_least_once',
  writesOutput: true,
  run: (ctx) => runKvStore(ctx, 'at_least_once'),
};
