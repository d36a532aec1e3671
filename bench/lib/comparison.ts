// The headline: Kaskade's records/s divided by Kafka Streams' on the same scenario, in the same round and value size.
import { measuresOf, spreadOf } from './report.js';
import type { RunRecord } from './report.js';

/** A Kaskade rung and the Kafka Streams rung of the same scenario and cache setting (rungs/index.ts). */
export interface ComparisonPair {
  readonly kaskade: string;
  readonly kafkaStreams: string;
  readonly cache: 'off' | 'on' | 'none';
}

/** One pair for one value size, in the JSON file under `vsKafkaStreams`. */
export interface ComparisonSummary extends ComparisonPair {
  readonly valueBytes: number;
  /** Median over the rounds where both succeeded of Kaskade's records/s ÷ Kafka Streams' in that round. */
  readonly ratio: number | null;
  readonly ratioSpread: readonly [number, number] | null;
  /** Rounds where both rungs succeeded. */
  readonly rounds: number;
  readonly kaskadeRecordsPerSec: number | null;
  readonly kafkaStreamsRecordsPerSec: number | null;
  readonly kaskadeCpuMicrosPerRecord: number | null;
  readonly kafkaStreamsCpuMicrosPerRecord: number | null;
  readonly kaskadePeakRssMb: number | null;
  readonly kafkaStreamsPeakRssMb: number | null;
}

/** The pairs whose both rungs ran, for one value size. */
export function compare(
  runs: readonly RunRecord[],
  pairs: readonly ComparisonPair[],
  valueBytes: number,
): ComparisonSummary[] {
  const ran = new Set(runs.filter((r) => r.valueBytes === valueBytes).map((r) => r.rung));
  return pairs
    .filter((p) => ran.has(p.kaskade) && ran.has(p.kafkaStreams))
    .map((pair) => {
      const of = (rung: string) => runs.filter((r) => r.rung === rung && r.valueBytes === valueBytes);
      const k = of(pair.kaskade);
      const ks = of(pair.kafkaStreams);
      const ratios: number[] = [];
      for (const run of k) {
        const mine = measuresOf(run);
        const other = ks.find((r) => r.round === run.round);
        const theirs = other && measuresOf(other);
        if (mine && theirs) ratios.push(mine.recordsPerSec / theirs.recordsPerSec);
      }
      const median = (list: readonly RunRecord[], f: (m: NonNullable<ReturnType<typeof measuresOf>>) => number) =>
        spreadOf(list.map(measuresOf).flatMap((m) => (m ? [f(m)] : [])))?.median ?? null;
      const ratio = spreadOf(ratios);
      return {
        ...pair,
        valueBytes,
        ratio: ratio?.median ?? null,
        ratioSpread: ratio ? ([ratio.min, ratio.max] as const) : null,
        rounds: ratios.length,
        kaskadeRecordsPerSec: median(k, (m) => m.recordsPerSec),
        kafkaStreamsRecordsPerSec: median(ks, (m) => m.recordsPerSec),
        kaskadeCpuMicrosPerRecord: median(k, (m) => m.cpuMicrosPerRecord),
        kafkaStreamsCpuMicrosPerRecord: median(ks, (m) => m.cpuMicrosPerRecord),
        kaskadePeakRssMb: median(k, (m) => m.peakRssMb),
        kafkaStreamsPeakRssMb: median(ks, (m) => m.peakRssMb),
      };
    });
}

const int = (n: number | null) => (n === null ? '-' : Math.round(n).toLocaleString('en-US'));
const fixed = (n: number | null, digits: number) => (n === null ? '-' : n.toFixed(digits));

/** A plain-text table, one row per pair, for one value size. */
export function formatComparison(rows: readonly ComparisonSummary[], title: string): string {
  const header = [
    'Kaskade rung',
    'Kafka Streams rung',
    'cache',
    'Kaskade ÷ KS',
    'Kaskade rec/s',
    'KS rec/s',
    'CPU µs/rec K / KS',
    'peak RSS MB K / KS',
    'rounds',
  ];
  const table = rows.map((r) => [
    r.kaskade,
    r.kafkaStreams,
    r.cache,
    r.ratio === null
      ? '-'
      : `${fixed(r.ratio, 2)}${r.rounds > 1 && r.ratioSpread ? ` (${fixed(r.ratioSpread[0], 2)}–${fixed(r.ratioSpread[1], 2)})` : ''}`,
    int(r.kaskadeRecordsPerSec),
    int(r.kafkaStreamsRecordsPerSec),
    `${fixed(r.kaskadeCpuMicrosPerRecord, 1)} / ${fixed(r.kafkaStreamsCpuMicrosPerRecord, 1)}`,
    `${int(r.kaskadePeakRssMb)} / ${int(r.kafkaStreamsPeakRssMb)}`,
    `${r.rounds}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.map(line)].join('\n');
}

/** One line for a Kaskade rung measured against another (rungs/index.ts, `OVERHEADS`). */
export function formatOverhead(o: ComparisonSummary): string {
  const spread = o.rounds > 1 && o.ratioSpread ? ` (${fixed(o.ratioSpread[0], 3)}–${fixed(o.ratioSpread[1], 3)})` : '';
  return (
    `${o.kaskade} ÷ ${o.kafkaStreams}, ${o.valueBytes} B, records/s in the same round: ${fixed(o.ratio, 3)}${spread} ` +
    `over ${o.rounds} round(s); CPU µs/rec ${fixed(o.kaskadeCpuMicrosPerRecord, 1)} / ${fixed(o.kafkaStreamsCpuMicrosPerRecord, 1)}`
  );
}
