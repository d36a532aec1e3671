// One rung in a process of its own, so that its CPU time and peak RSS belong to it alone. Usage (by bench/run.ts):
//   node --conditions=kaskade-source --import tsx bench/rung-worker.ts '<WorkerArgs as JSON>'
// Prints exactly one JSON line (WorkerOutput) on stdout and exits 0 on success, 1 on failure.
import { performance } from 'node:perf_hooks';
import { cpuTicks, machineTicks, peakRssMb, processesCpuTicks } from './lib/proc-stats.js';
import { runtimeLogging } from './lib/runtime-logging.js';
import { isKafkaStreamsRung } from './lib/rung.js';
import type { Rung, RungContext } from './lib/rung.js';
import type { WorkerArgs, WorkerOutput } from './lib/worker-protocol.js';
import { RUNGS } from './rungs/index.js';

function firstLine(error: unknown): string {
  const text =
    error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return text.split('\n')[0]!.trim();
}

function finish(output: WorkerOutput): never {
  process.stdout.write(`${JSON.stringify(output)}\n`);
  // librdkafka handles or LMDB may keep the loop alive after a failure; the result is out, so leave.
  process.exit(output.ok ? 0 : 1);
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '') as WorkerArgs;
  runtimeLogging.verbose = args.verbose;
  let progress: () => number = () => 0;
  const fail = (error: unknown): never =>
    finish({ ok: false, rung: args.rung, error: firstLine(error), progress: progress() });

  const load = RUNGS.get(args.rung);
  if (!load) fail(new Error(`unknown rung "${args.rung}"`));
  const loaded = await load!().catch(fail);
  if (isKafkaStreamsRung(loaded)) {
    return fail(new Error(`rung "${args.rung}" runs in Kafka Streams' JVM worker (bench/kafka-streams), not here`));
  }
  const rung: Rung = loaded;

  let startWall = 0;
  let startTicks = 0;
  let startBroker: number | undefined;
  let startMachine = { busy: 0, total: 0, cores: 1 };
  let drainedWall = 0;
  let end: { wall: number; ticks: number; broker: number | undefined; machine: typeof startMachine } | undefined;
  const ctx: RungContext = {
    bootstrapServers: args.bootstrapServers,
    inputTopic: args.inputTopic,
    tableTopic: args.tableTopic,
    leftTopic: args.leftTopic,
    rightTopic: args.rightTopic,
    outputTopic: args.outputTopic,
    groupId: args.groupId,
    stateDir: args.stateDir,
    records: args.records,
    valueBytes: args.valueBytes,
    batchSize: args.batchSize,
    markStart() {
      if (startWall !== 0) return;
      startWall = performance.now();
      startTicks = cpuTicks();
      startBroker = processesCpuTicks(args.brokerPids);
      startMachine = machineTicks();
    },
    markDrained() {
      if (drainedWall !== 0) return;
      drainedWall = performance.now();
      if (args.verbose) {
        // Where the memory is when the last record was handled (--verbose): the JavaScript heap, Buffers and other
        // external memory, and the rest of the RSS (native: LMDB's mapped pages, librdkafka's queues, the addon).
        const m = process.memoryUsage();
        const mb = (n: number): string => `${Math.round(n / 1048576)} MB`;
        process.stderr.write(
          `[rung ${args.rung}] memory when drained: rss ${mb(m.rss)}, heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, ` +
            `external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)}), ` +
            `native rest ${mb(m.rss - m.heapTotal - m.external)}\n`,
        );
      }
    },
    markEnd() {
      if (end !== undefined || startWall === 0) return;
      end = {
        wall: performance.now(),
        ticks: cpuTicks(),
        broker: processesCpuTicks(args.brokerPids),
        machine: machineTicks(),
      };
    },
    setProgressSource(source) {
      progress = source;
    },
  };

  // A rung that stops making progress (a broken runtime, a lost broker) fails instead of hanging the whole run.
  let lastProgress = -1;
  let lastChange = performance.now();
  const watchdog = setInterval(() => {
    const now = performance.now();
    const p = progress();
    if (p !== lastProgress) {
      lastProgress = p;
      lastChange = now;
    } else if (now - lastChange > args.stallSeconds * 1000) {
      fail(
        new Error(
          p >= args.records
            ? `stuck: all ${args.records} records were handled, but flushing and closing did not end within ${args.stallSeconds} s`
            : `stalled: no progress for ${args.stallSeconds} s at ${p} of ${args.records} records`,
        ),
      );
    }
  }, 500);
  watchdog.unref();

  if (args.warmup && args.phase === 'run' && !rung.prepare) {
    // Untimed: the same rung on the same input under another group id, output topic and state directory, so that
    // the timed run below finds V8's optimized code, as a long-running application would.
    const { groupId, outputTopic, stateDir } = args.warmup;
    const idle = (): void => undefined;
    const warmupCtx: RungContext = {
      ...ctx,
      groupId,
      outputTopic,
      stateDir,
      markStart: idle,
      markDrained: idle,
      markEnd: idle,
    };
    await rung.run(warmupCtx).catch((e: unknown) => fail(new Error(`warm-up run: ${firstLine(e)}`)));
  }

  const called = performance.now();
  if (args.phase === 'prepare') {
    // Untimed set-up: only success or failure matters to the runner.
    if (!rung.prepare) fail(new Error(`rung "${args.rung}" has no prepare phase`));
    await rung.prepare!(ctx).catch(fail);
    clearInterval(watchdog);
    const seconds = (performance.now() - called) / 1000;
    finish({
      ok: true,
      rung: args.rung,
      records: 0,
      seconds,
      drainedSeconds: seconds,
      startupSeconds: 0,
      cpuSeconds: 0,
      peakRssMb: peakRssMb(),
      brokerCpuSeconds: null,
      machineBusyCores: 0,
      cores: 0,
    });
  }
  let result;
  try {
    result = await rung.run(ctx);
  } catch (e) {
    fail(e);
  }
  ctx.markEnd();
  clearInterval(watchdog);
  if (startWall === 0 || end === undefined) fail(new Error('the rung never called markStart()'));
  const { wall: endWall, ticks: endTicks, broker: endBroker, machine: endMachine } = end!;
  finish({
    ok: true,
    rung: args.rung,
    records: result!.records,
    seconds: (endWall - startWall) / 1000,
    drainedSeconds: (Math.min(drainedWall || endWall, endWall) - startWall) / 1000,
    startupSeconds: (startWall - called) / 1000,
    cpuSeconds: (endTicks - startTicks) / args.clockTicksPerSecond,
    peakRssMb: peakRssMb(),
    brokerCpuSeconds:
      startBroker === undefined || endBroker === undefined
        ? null
        : (endBroker - startBroker) / args.clockTicksPerSecond,
    machineBusyCores:
      ((endMachine.busy - startMachine.busy) / Math.max(1, endMachine.total - startMachine.total)) * endMachine.cores,
    cores: endMachine.cores,
  });
}

main().catch((e: unknown) => {
  process.stdout.write(`${JSON.stringify({ ok: false, rung: 'unknown', error: String(e), progress: 0 })}\n`);
  process.exit(1);
});
