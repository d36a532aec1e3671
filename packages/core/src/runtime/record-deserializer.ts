import type { Headers } from '@kaskade/processor-api';
import type { ConsumedMessage } from '../kafka/kafka-types.js';
import type { SourceRuntimeNode } from './runtime-nodes.js';

/**
 * Asks the deserialization exception handler about a message whose key or value could not be deserialized: returns
 * when it says CONTINUE (the message is skipped), throws when it says FAIL.
 */
export type DeserializationErrorHandler = (
  message: ConsumedMessage,
  headers: Headers,
  nodeName: string,
  error: unknown,
) => void;

/**
 * Turns the raw key and value of one source's messages into objects with the source's serdes; what cannot be
 * deserialized goes to the deserialization exception handler.
 *
 * @see org.apache.kafka.streams.processor.internals.RecordDeserializer
 */
export class RecordDeserializer {
  readonly source: SourceRuntimeNode;
  /** The key and value of the last message deserialized: fields rather than a result object, so nothing is allocated. */
  key: unknown = undefined;
  value: unknown = undefined;
  readonly #onError: DeserializationErrorHandler;

  constructor(source: SourceRuntimeNode, onError: DeserializationErrorHandler) {
    this.source = source;
    this.#onError = onError;
  }

  /** Deserializes `m` into {@link key} and {@link value}; false when it could not be and the handler said CONTINUE. */
  deserialize(m: ConsumedMessage, topic: string, headers: Headers): boolean {
    const source = this.source;
    try {
      this.key = m.key == null ? null : source.keySerde.deserialize(topic, m.key as Buffer, headers);
      this.value = m.value == null ? null : source.valueSerde.deserialize(topic, m.value, headers);
      return true;
    } catch (e) {
      this.key = this.value = undefined;
      this.#onError(m, headers, source.name, e);
      return false;
    }
  }
}
