import type { Headers, Serde } from '@kaskade/processor-api';

/**
 * Starts a DSL rung's clock at its first record without adding a node to the topology under test: `wrap(serde)` is
 * the serde itself, except that the first `deserialize` (the first source record about to be processed) calls
 * `onFirst`. Per record it costs one call and one comparison; a timestamp extractor would cost an object per record.
 * Stores that inherit the serde call it too, but only after a source record was processed, so they change nothing.
 */
export class StartProbe {
  #started = false;
  readonly #onFirst: () => void;

  constructor(onFirst: () => void) {
    this.#onFirst = onFirst;
  }

  wrap<T>(inner: Serde<T>): Serde<T> {
    return {
      serialize: (topic: string, data: T, headers?: Headers): Buffer => inner.serialize(topic, data, headers),
      deserialize: (topic: string, data: Buffer, headers?: Headers): T => {
        if (!this.#started) {
          this.#started = true;
          this.#onFirst();
        }
        return inner.deserialize(topic, data, headers);
      },
    };
  }
}
