import { parseArgs } from 'node:util';
import { BASELINE_RUNG, KAFKA_STREAMS_RUNG_NAMES, RUNGS } from '../rungs/index.js';

export interface BenchOptions {
  /** Rungs in registry order; always includes the baseline. */
  readonly rungs: readonly string[];
  readonly records: number;
  readonly valueBytes: readonly number[];
  readonly rounds: number;
  readonly batchSize: number;
  readonly json: string | undefined;
  readonly warmup: boolean;
  /** Each worker runs its rung once, untimed, before the timed run (`--cold` turns it off). */
  readonly warmRuns: boolean;
  readonly stallSeconds: number;
  /** Run a rung again (at most this often per slot) when other processes kept more than `busyCores` cores busy. */
  readonly busyRetries: number;
  readonly busyCores: number;
  readonly verbose: boolean;
  /** Write a V8 CPU profile of every timed run into this directory (`node --cpu-prof`). */
  readonly profileDir: string | undefined;
}

/** Joins names with ", " into lines of at most `width` characters. */
function wrapList(names: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const name of names) {
    const next = line ? `${line}, ${name}` : name;
    if (next.length > width && line) {
      lines.push(`${line},`);
      line = name;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

export const USAGE = `usage: npm run bench -- [options]

Drains a preloaded topic with each rung in a child process of its own, rungs interleaved over rounds, and prints
records/s, CPU time per record, peak RSS and the ratio to raw-passthrough measured in the same round.

  --rungs a,b          rungs to run (default: all; raw-passthrough always runs). ks-* rungs are Kafka Streams
                       itself (bench/kafka-streams, built with Maven on first use); -cache: record cache on. Known:
                       ${wrapList([...RUNGS.keys()], 95).join('\n                       ')}
  --records N          records in the input topic (default 150000)
  --value-bytes N[,M]  value sizes in bytes (default 100,1024)
  --rounds R           rounds (default 3)
  --batch N            records per consume call, raw and Kaskade alike (maxPollRecords) (default 1000)
  --json FILE          also write the results as JSON
  --no-warmup          skip the untimed raw-consume pass that warms the broker up before each value size
  --cold               no warm-up run in the workers: by default each worker (Node.js or JVM) first runs its rung
                       once, untimed, on the same input under another group id and output topic, then the timed run
                       (the restore rung never gets one); --cold times a fresh process, as before
  --no-kafka-streams   leave out the ks-* rungs (Kafka Streams itself; no JDK or Maven needed then)
  --stall-seconds S    fail a rung that makes no progress for S seconds (default 30)
  --busy-cores X       a run during which other processes kept more than X cores busy is run again (default 0.5)
  --busy-retries N     ... at most N times per rung and round; the last attempt counts (default 1; 0 = never)
  --verbose            print the workers' stderr and the runtime's warnings
  --profile DIR        run each timed Node.js worker (not ks-*) under \`node --cpu-prof\`, writing DIR/<rung>-<bytes>b-r<round>.cpuprofile
                       (profiling slows the workers down: its numbers are not comparable with a normal run);
                       \`node --conditions=kaskade-source --import tsx bench/profile-summary.ts FILE\` lists the functions with the most self time
  -h, --help

Uses the broker in KASKADE_BOOTSTRAP_SERVERS, or starts one (and stops it at the end). The broker's CPU time per
record is reported when its JVM's pid is known: always for a broker started here, else from
KASKADE_BENCH_BROKER_PIDS=pid[,pid].`;

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

function nonNegative(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got "${text}"`);
  return n;
}

/** Parses the command line; throws an Error with a message for the user on bad input. Undefined means --help. */
export function parseOptions(argv: readonly string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rungs: { type: 'string' },
      records: { type: 'string' },
      'value-bytes': { type: 'string' },
      rounds: { type: 'string' },
      batch: { type: 'string' },
      json: { type: 'string' },
      'no-warmup': { type: 'boolean' },
      cold: { type: 'boolean' },
      'no-kafka-streams': { type: 'boolean' },
      'stall-seconds': { type: 'string' },
      'busy-cores': { type: 'string' },
      'busy-retries': { type: 'string' },
      verbose: { type: 'boolean' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;
  const known = [...RUNGS.keys()];
  let wanted = known;
  if (values.rungs !== undefined) {
    const asked = values.rungs
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const unknown = asked.filter((r) => !RUNGS.has(r));
    if (unknown.length > 0) throw new Error(`unknown rung(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
    wanted = known.filter((r) => r === BASELINE_RUNG || asked.includes(r));
  }
  if (values['no-kafka-streams']) wanted = wanted.filter((r) => !KAFKA_STREAMS_RUNG_NAMES.has(r));
  const valueBytes =
    values['value-bytes'] === undefined
      ? [100, 1024]
      : values['value-bytes'].split(',').map((s) => positiveInt('value-bytes', s.trim(), 0));
  return {
    rungs: wanted,
    records: positiveInt('records', values.records, 150_000),
    valueBytes: [...new Set(valueBytes)],
    rounds: positiveInt('rounds', values.rounds, 3),
    batchSize: positiveInt('batch', values.batch, 1000),
    json: values.json,
    warmup: !values['no-warmup'],
    warmRuns: !values.cold,
    stallSeconds: positiveInt('stall-seconds', values['stall-seconds'], 30),
    busyRetries: values['busy-retries'] === '0' ? 0 : positiveInt('busy-retries', values['busy-retries'], 1),
    busyCores: nonNegative('busy-cores', values['busy-cores'], 0.5),
    verbose: values.verbose ?? false,
    profileDir: values.profile,
  };
}
