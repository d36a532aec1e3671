// Windows of the windowed rungs, shared by Kaskade's rungs and the Kafka Streams side's descriptions (Scenario.java
// has the same numbers).

/**
 * Hopping windows of 10 s every 5 s (SimpleBenchmark uses 1 s every 0.5 s on wall-clock timestamps). The input's
 * event time runs at 10 000 records/s (lib/data.ts), so a key sees about 10 records per window, and each record
 * lands in 10 / 5 = 2 windows: two updates of the window store, its changelog and the output per input record.
 */
export const WINDOW_SIZE_MS = 10_000;
export const WINDOW_ADVANCE_MS = 5_000;
export const WINDOWS_PER_RECORD = WINDOW_SIZE_MS / WINDOW_ADVANCE_MS;

/**
 * The stream-stream join: records of the same key join when their timestamps are at most 1 s apart. Each key turns
 * up about once a second of event time (lib/data.ts), half of it on each side, so a record finds about one partner.
 */
export const JOIN_WINDOW_MS = 1_000;
