/**
 * A store a processor uses. Implementations live in `@kaskade/state-store`; the runtime opens, restores, commits and
 * closes them — processors only read and write through the typed interfaces below.
 *
 * @see org.apache.kafka.streams.processor.StateStore
 */
export interface StateStore {
  readonly name: string;
  /** True when the store keeps its data on disk (LMDB) and can resume from it after a restart. */
  readonly persistent: boolean;
  isOpen(): boolean;
}
