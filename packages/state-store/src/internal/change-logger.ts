// Turns a table write into a changelog record: the changelog key is Kafka Streams' format for the store type (see the
// key schemas), and for timestamped stores the value loses its 8-byte timestamp prefix, which becomes the record's
// timestamp instead — as Kafka Streams' ChangeLoggingTimestamped*BytesStore do, so that changelog topics look the same
// to tools (and restoration puts the prefix back from the record timestamp).
import type { ChangelogSink } from '../changelog-sink.js';
import { readInt64BE } from './bytes.js';

export interface ChangeLogger {
  log(storedKey: Buffer, value: Buffer | null, timestampMs: number): void;
}

export function changeLogger(
  sink: ChangelogSink,
  topic: string,
  partition: number,
  toChangelogKey: (storedKey: Buffer) => Buffer,
  timestamped: boolean,
): ChangeLogger {
  if (timestamped) {
    return {
      log(storedKey, value, timestampMs) {
        if (value === null) sink(topic, partition, toChangelogKey(storedKey), null, timestampMs);
        else sink(topic, partition, toChangelogKey(storedKey), value.subarray(8), readInt64BE(value, 0));
      },
    };
  }
  return {
    log(storedKey, value, timestampMs) {
      sink(topic, partition, toChangelogKey(storedKey), value, timestampMs);
    },
  };
}
