import { Headers, SerializationError } from '@kaskade/processor-api';
import { UndeliverableRecordError } from '../errors/undeliverable-record-error.js';
import type { Processor, Serde, Record } from '@kaskade/processor-api';
import type { SinkNodeDef, TopicNameExtractor } from '../topology/node-definitions.js';
import type { RecordCollector } from './record-collector.js';
import type { RecordContext } from './record-context.js';
import type { RecordErrorHandler } from './record-error-handler.js';

/** Whatever a sink needs from its task while a record passes through: the record, the counters, the error handling. */
export type NodeHost = Pick<RecordErrorHandler, 'context' | 'metrics' | 'handleProductionError'>;

/** A node of a task's processor graph at run time. `process` runs synchronously, depth first. */
export abstract class RuntimeNode {
  readonly name: string;
  children: RuntimeNode[] = [];
  readonly childByName = new Map<string, RuntimeNode>();

  constructor(name: string) {
    this.name = name;
  }

  addChild(child: RuntimeNode): void {
    this.children.push(child);
    this.childByName.set(child.name, child);
  }

  abstract process(record: Record<unknown, unknown>): void;
  init(): void {}
  close(): void {}
}

/** Passes deserialized records to its children; deserialization happens at the head of a `RecordQueue`. */
export class SourceRuntimeNode extends RuntimeNode {
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;

  constructor(name: string, keySerde: Serde<unknown>, valueSerde: Serde<unknown>) {
    super(name);
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }

  process(record: Record<unknown, unknown>): void {
    const children = this.children;
    for (let i = 0; i < children.length; i++) children[i]!.process(record);
  }
}

/** Runs a user processor. */
export class ProcessorRuntimeNode extends RuntimeNode {
  processor: Processor<unknown, unknown, unknown, unknown> | undefined;
  readonly #context: RecordContext;

  constructor(name: string, context: RecordContext) {
    super(name);
    this.#context = context;
  }

  process(record: Record<unknown, unknown>): void {
    const context = this.#context;
    const previous = context.nodeName;
    context.nodeName = this.name;
    this.processor!.process(record);
    context.nodeName = previous;
  }

  override close(): void {
    this.processor?.close?.();
  }
}

/** Serializes and hands records to the collector; never waits. */
export class SinkRuntimeNode extends RuntimeNode {
  readonly #topic: string | undefined;
  readonly #extractor: TopicNameExtractor | undefined;
  readonly #keySerde: Serde<unknown>;
  readonly #valueSerde: Serde<unknown>;
  readonly #partitioner: SinkNodeDef['options']['partitioner'];
  readonly #collector: RecordCollector;
  readonly #host: NodeHost;
  readonly #resolveTopic: (name: string) => string;

  constructor(
    def: SinkNodeDef,
    keySerde: Serde<unknown>,
    valueSerde: Serde<unknown>,
    collector: RecordCollector,
    host: NodeHost,
    resolveTopic: (name: string) => string,
  ) {
    super(def.name);
    if (typeof def.topic === 'string') this.#topic = resolveTopic(def.topic);
    else this.#extractor = def.topic;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
    this.#partitioner = def.options.partitioner;
    this.#collector = collector;
    this.#host = host;
    this.#resolveTopic = resolveTopic;
  }

  process(record: Record<unknown, unknown>): void {
    const host = this.#host;
    const topic =
      this.#topic ??
      this.#resolveTopic(
        this.#extractor!(record.key, record.value, {
          topic: host.context.topic,
          partition: host.context.partition,
          offset: host.context.offset,
        }),
      );
    let key: Buffer | null = null;
    let value: Buffer | null = null;
    let origin: 'KEY' | 'VALUE' = 'KEY';
    try {
      if (record.key != null) key = this.#keySerde.serialize(topic, record.key, record.headers);
      origin = 'VALUE';
      if (record.value != null) value = this.#valueSerde.serialize(topic, record.value, record.headers);
    } catch (e) {
      // KIP-399: the production handler's serialization hook decides, not the processing handler.
      const error = new SerializationError(
        `sink "${this.name}" cannot serialize the record's ${origin.toLowerCase()} for topic "${topic}": ${(e as Error).message}`,
        { cause: e, context: { node: this.name, topic, origin } },
      );
      this.#host.handleProductionError(this.name, topic, -1, error, origin);
      return;
    }
    let partition = -1;
    if (this.#partitioner) {
      const n = this.#collector.partitionsFor(topic);
      if (n !== undefined) partition = this.#partitioner(topic, record.key, record.value, n) ?? -1;
      if (n !== undefined && partition >= n) {
        // Caught here, with the record, whichever producer runs (the native one would only report it later).
        const error = new UndeliverableRecordError(
          `sink "${this.name}": the partitioner chose partition ${partition} of topic "${topic}", which has ${n}`,
          { context: { node: this.name, topic, partition, partitions: n } },
        );
        this.#host.handleProductionError(this.name, topic, partition, error, undefined);
        return;
      }
    }
    try {
      this.#collector.send(topic, partition, key, value, record.timestamp, record.headers ?? Headers.EMPTY);
      host.metrics.produced++;
    } catch (e) {
      if (!(e instanceof UndeliverableRecordError)) throw e;
      this.#host.handleProductionError(this.name, topic, partition, e, undefined);
    }
  }
}
