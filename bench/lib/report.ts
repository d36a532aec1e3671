// Medians and spreads over rounds, the printed table and the JSON file.
import type { Guarantee } from './rung.js';
import type { WorkerOutput } from './worker-protocol.js';

/** One rung in one round for one value size. */
export interface RunRecord {
  readonly rung: string;
  readonly valueBytes: number;
  readonly round: number;
  readonly output: WorkerOutput;
  /** Set when the run is valid; recordsPerSec / the baseline's recordsPerSec of the same round and value size. */
  ratioToPassThrough?: number;
  /** The same ratio over the drain only (first to last record handled), without the flush-and-close tail. */
  drainRatioToPassThrough?: number;
}

export interface RungInfo {
  readonly name: string;
  readonly guarantee: Guarantee | 'unknown';
  readonly description: string;
  /** A restore rung: its records/s are records restored per second (see `fromStartRecordsPerSec`). */
  readonly kind?: 'restore';
}

/** Median and the min–max spread of a measure over the rounds where the rung succeeded. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The JSON object per rung and value size: medians at the top level, spreads under `spread`. */
export interface RungSummary {
  readonly rung: string;
  readonly valueBytes: number;
  readonly guarantee: string;
  /** `'restore'`: records are changelog records restored, timed from the first onRestoreStart to the last onRestoreEnd. */
  readonly kind?: 'restore';
  readonly records: number | null;
  readonly seconds: number | null;
  readonly recordsPerSec: number | null;
  readonly cpuMicrosPerRecord: number | null;
  /** CPU time of the broker's JVMs per record over the same window (null when their pids are unknown). */
  readonly brokerCpuMicrosPerRecord: number | null;
  /**
   * Average cores busy with anything but this rung and the broker over the window: near 0 on a quiet machine. On two
   * cores, anything above a few tenths makes absolute numbers unreliable (ratios of the same round suffer less).
   */
  readonly otherBusyCores: number | null;
  readonly peakRssMb: number | null;
  readonly ratioToPassThrough: number | null;
  /** Median ratio of drain rates (records / drainedSeconds): the steady state, without the flush-and-close tail. */
  readonly drainRatioToPassThrough: number | null;
  /** Median flush-and-close tail (ms): from the last record handled to the end. */
  readonly tailMs: number | null;
  /** Median time from the worker's call of `run` to the first record (s). */
  readonly startupSeconds: number | null;
  /**
   * Restore rungs only: records / (startup + seconds), i.e. timed from `KafkaStreams.start()` (connecting, joining the
   * group, opening stores) to the last onRestoreEnd. Median.
   */
  readonly fromStartRecordsPerSec?: number | null;
  readonly roundsOk: number;
  readonly rounds: number;
  readonly spread: { readonly [measure: string]: readonly [number, number] };
  /** Each round's own numbers (or its error), in round order. */
  readonly perRound: readonly PerRound[];
  /** The first failure's message, when some round failed. */
  readonly error?: string;
}

export interface PerRound {
  readonly round: number;
  readonly recordsPerSec?: number;
  readonly ratioToPassThrough?: number;
  readonly cpuMicrosPerRecord?: number;
  readonly peakRssMb?: number;
  readonly otherBusyCores?: number;
  readonly error?: string;
}

export function spreadOf(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

interface Measures {
  seconds: number;
  recordsPerSec: number;
  cpuMicrosPerRecord: number;
  brokerCpuMicrosPerRecord: number | undefined;
  otherBusyCores: number;
  peakRssMb: number;
  tailMs: number;
  startupSeconds: number;
  fromStartRecordsPerSec: number;
  drainRecordsPerSec: number;
  ratioToPassThrough?: number;
  drainRatioToPassThrough?: number;
}

/** The derived measures of a successful run, or undefined for a failed one. */
export function measuresOf(run: RunRecord): Measures | undefined {
  const o = run.output;
  if (!o.ok) return undefined;
  return {
    seconds: o.seconds,
    recordsPerSec: o.records / o.seconds,
    cpuMicrosPerRecord: (o.cpuSeconds * 1e6) / o.records,
    brokerCpuMicrosPerRecord: o.brokerCpuSeconds === null ? undefined : (o.brokerCpuSeconds * 1e6) / o.records,
    otherBusyCores: Math.max(0, o.machineBusyCores - (o.cpuSeconds + (o.brokerCpuSeconds ?? 0)) / o.seconds),
    peakRssMb: o.peakRssMb,
    tailMs: (o.seconds - o.drainedSeconds) * 1000,
    startupSeconds: o.startupSeconds,
    fromStartRecordsPerSec: o.records / (o.startupSeconds + o.seconds),
    drainRecordsPerSec: o.records / o.drainedSeconds,
    ...(run.ratioToPassThrough === undefined ? {} : { ratioToPassThrough: run.ratioToPassThrough }),
    ...(run.drainRatioToPassThrough === undefined ? {} : { drainRatioToPassThrough: run.drainRatioToPassThrough }),
  };
}

/** Sets each successful run's ratio to the baseline's records/s in the same round and value size. */
export function computeRatios(runs: readonly RunRecord[], baseline: string): void {
  for (const run of runs) {
    const base = runs.find((r) => r.rung === baseline && r.valueBytes === run.valueBytes && r.round === run.round);
    const mine = measuresOf(run);
    const theirs = base && measuresOf(base);
    if (mine && theirs) {
      run.ratioToPassThrough = mine.recordsPerSec / theirs.recordsPerSec;
      run.drainRatioToPassThrough = mine.drainRecordsPerSec / theirs.drainRecordsPerSec;
    }
  }
}

export function summarize(runs: readonly RunRecord[], rungs: readonly RungInfo[], valueBytes: number): RungSummary[] {
  return rungs.map((info) => {
    const mine = runs.filter((r) => r.rung === info.name && r.valueBytes === valueBytes);
    const ok = mine.map(measuresOf).filter((m): m is Measures => m !== undefined);
    const firstFailure = mine.map((r) => r.output).find((o) => !o.ok);
    const pick = (f: (m: Measures) => number | undefined) =>
      spreadOf(ok.map(f).filter((v): v is number => v !== undefined));
    const measures = {
      seconds: pick((m) => m.seconds),
      recordsPerSec: pick((m) => m.recordsPerSec),
      cpuMicrosPerRecord: pick((m) => m.cpuMicrosPerRecord),
      brokerCpuMicrosPerRecord: pick((m) => m.brokerCpuMicrosPerRecord),
      otherBusyCores: pick((m) => m.otherBusyCores),
      peakRssMb: pick((m) => m.peakRssMb),
      ratioToPassThrough: pick((m) => m.ratioToPassThrough),
      drainRatioToPassThrough: pick((m) => m.drainRatioToPassThrough),
      tailMs: pick((m) => m.tailMs),
      startupSeconds: pick((m) => m.startupSeconds),
      ...(info.kind === 'restore' ? { fromStartRecordsPerSec: pick((m) => m.fromStartRecordsPerSec) } : {}),
    };
    const spread: { [measure: string]: readonly [number, number] } = {};
    for (const [k, s] of Object.entries(measures)) if (s) spread[k] = [s.min, s.max];
    const records = mine.map((r) => r.output).find((o) => o.ok);
    return {
      rung: info.name,
      valueBytes,
      guarantee: info.guarantee,
      ...(info.kind ? { kind: info.kind } : {}),
      records: records?.ok ? records.records : null,
      seconds: measures.seconds?.median ?? null,
      recordsPerSec: measures.recordsPerSec?.median ?? null,
      cpuMicrosPerRecord: measures.cpuMicrosPerRecord?.median ?? null,
      brokerCpuMicrosPerRecord: measures.brokerCpuMicrosPerRecord?.median ?? null,
      otherBusyCores: measures.otherBusyCores?.median ?? null,
      peakRssMb: measures.peakRssMb?.median ?? null,
      ratioToPassThrough: measures.ratioToPassThrough?.median ?? null,
      drainRatioToPassThrough: measures.drainRatioToPassThrough?.median ?? null,
      tailMs: measures.tailMs?.median ?? null,
      startupSeconds: measures.startupSeconds?.median ?? null,
      ...(info.kind === 'restore' ? { fromStartRecordsPerSec: measures.fromStartRecordsPerSec?.median ?? null } : {}),
      roundsOk: ok.length,
      rounds: mine.length,
      spread,
      perRound: mine.map((r): PerRound => {
        const m = measuresOf(r);
        if (!m) return { round: r.round, error: r.output.ok ? 'unknown' : r.output.error };
        return {
          round: r.round,
          recordsPerSec: m.recordsPerSec,
          ...(m.ratioToPassThrough === undefined ? {} : { ratioToPassThrough: m.ratioToPassThrough }),
          cpuMicrosPerRecord: m.cpuMicrosPerRecord,
          peakRssMb: m.peakRssMb,
          otherBusyCores: m.otherBusyCores,
        };
      }),
      ...(firstFailure && !firstFailure.ok ? { error: firstFailure.error } : {}),
    };
  });
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fixed = (digits: number) => (n: number) => n.toFixed(digits);

function cell(
  summary: RungSummary,
  key: keyof RungSummary & string,
  format: (n: number) => string,
  withSpread = true,
): string {
  const median = summary[key] as number | null;
  if (median === null) return '-';
  const s = summary.spread[key];
  if (!s || !withSpread || summary.roundsOk < 2) return format(median);
  return `${format(median)} (${format(s[0])}–${format(s[1])})`;
}

/** A plain-text table, one row per rung, for one value size. */
export function formatTable(summaries: readonly RungSummary[], title: string): string {
  const header = [
    'rung',
    'guarantee',
    'records/s',
    'ratio',
    'drain ratio',
    'CPU µs/rec',
    'broker µs/rec',
    'peak RSS MB',
    'tail ms',
    'others busy',
    'ok',
  ];
  const rows = summaries.map((s) => [
    s.rung,
    s.guarantee,
    cell(s, 'recordsPerSec', int),
    cell(s, 'ratioToPassThrough', fixed(2)),
    cell(s, 'drainRatioToPassThrough', fixed(2)),
    cell(s, 'cpuMicrosPerRecord', fixed(2)),
    cell(s, 'brokerCpuMicrosPerRecord', fixed(2), false),
    cell(s, 'peakRssMb', int),
    cell(s, 'tailMs', int, false),
    cell(s, 'otherBusyCores', fixed(2), false),
    `${s.roundsOk}/${s.rounds}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i >= 2 && i < cells.length - 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [title, line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  for (const r of summaries.filter((s) => s.kind === 'restore' && s.recordsPerSec !== null)) {
    out.push(
      `  ${r.rung}: ${int(r.records ?? 0)} changelog records restored at ${cell(r, 'recordsPerSec', int)} records/s (first onRestoreStart to last onRestoreEnd);`,
      `    from start(), incl. joining the group and opening stores (startup ${fixed(2)(r.startupSeconds ?? 0)} s): ${cell(r, 'fromStartRecordsPerSec', int)} records/s`,
    );
  }
  const failures = summaries.filter((s) => s.error !== undefined);
  for (const f of failures) out.push(`  ${f.rung} FAILED (${f.rounds - f.roundsOk}/${f.rounds} rounds): ${f.error}`);
  const busiest = Math.max(0, ...summaries.map((s) => s.spread['otherBusyCores']?.[1] ?? 0));
  if (busiest > 0.25) {
    out.push(
      `  NOTE: other processes kept up to ${busiest.toFixed(2)} cores busy during some runs: absolute numbers are unreliable; compare ratios`,
    );
  }
  return out.join('\n');
}
