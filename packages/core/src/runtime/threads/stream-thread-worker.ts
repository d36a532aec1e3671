// The entry of a stream thread's worker process (`numStreamThreads` > 1): loads the application module, makes a
// one-thread `KafkaStreams` of it — its own consumer in the group, its own producer, tasks and stores — and runs it as
// the instance (`StreamThreadPool`) says. Its state changes and counters go back by IPC message (structured clone).
import { KafkaStreams, observedStatus } from '../kafka-streams.js';
import { loadStreamsApp } from './streams-app.js';
import { setStreamThreadIndex } from './stream-thread-index.js';
import { errorFields } from './thread-messages.js';
import type { FromWorker, ToWorker, WorkerInit } from './thread-messages.js';

// After the channel closed (the instance's process ended) there is no one to tell.
const post = (m: FromWorker): void => {
  if (process.connected) process.send?.(m);
};
/** The thread's instance, once made. */
let running: KafkaStreams | undefined;
// The instance's process ended without closing this thread (killed), or it answered 'closed': close (a no-op after
// 'closed'; bounded otherwise) and exit. Registered first, so that a kill while the module loads ends the worker too.
process.once('disconnect', () => {
  if (running === undefined) process.exit(0);
  void running.close({ timeoutMs: 30_000 }).finally(() => process.exit(0));
});
const disconnect = (): void => {
  if (process.connected) process.disconnect();
};

const init = await new Promise<WorkerInit>((resolve) => {
  process.once('message', (m: ToWorker) => {
    if (m.type === 'init') resolve(m.init);
  });
});

async function load(): Promise<KafkaStreams> {
  setStreamThreadIndex(init.thread);
  const app = await loadStreamsApp(init.module, init.exportName, init.args);
  const streams = new KafkaStreams(
    app.topology,
    {
      ...app.config,
      numStreamThreads: 1,
      instanceId: `${init.instanceId}-${init.thread}`,
      // The instance serves these for all of its threads, from each thread's registry.
      server: undefined,
      metrics: init.observed,
    },
    app.options,
  );
  if (streams.config.applicationId !== init.applicationId) {
    throw new Error(
      `the application module built applicationId "${streams.config.applicationId}" in this thread, ` +
        `"${init.applicationId}" in the first: it must build the same each time it is called`,
    );
  }
  if (app.topology.describe().toString() !== init.topologyDescription) {
    throw new Error(
      'the application module built a different topology in this thread than in the first: it must build the same ' +
        'each time it is called (same arguments, no randomness in names)',
    );
  }
  return streams;
}

const loaded = await load().catch((e: unknown) => {
  // The worker ends once the instance has the message.
  if (!process.connected) process.exit(1);
  process.send?.({ type: 'failed', error: errorFields(e) } satisfies FromWorker, () => process.exit(1));
  return undefined;
});
if (loaded && !process.connected) {
  // Orphaned while loading: the 'disconnect' handler already ran, with nothing to close.
  process.exit(0);
} else if (loaded) {
  run(loaded);
}

function run(streams: KafkaStreams): void {
  running = streams;
  if (init.paused) streams.pause();
  streams.onStateChange(({ to }) => {
    const error = to === 'ERROR' && streams.error ? errorFields(streams.error) : undefined;
    post({ type: 'state', to, ...(error ? { error } : {}) });
  });
  const report = (): void => post({ type: 'metrics', metrics: streams.metrics(), paused: streams.isPaused() });
  const reporting = setInterval(report, init.metricsIntervalMs);
  process.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'start':
        streams.start().then(
          () => post({ type: 'started' }),
          (e: unknown) => post({ type: 'startFailed', error: errorFields(e) }),
        );
        break;
      case 'pause':
        streams.pause();
        report();
        break;
      case 'resume':
        streams.resume();
        report();
        break;
      case 'init':
        break;
      case 'scrape':
        void (async () => {
          const metrics = ((await streams.metricsRegistry?.getMetricsAsJSON()) ?? []) as unknown[];
          const status = observedStatus(streams);
          post({ type: 'scrape', id: m.id, metrics, ...(status ? { status } : {}) });
        })();
        break;
      case 'close':
        void streams.close({ timeoutMs: m.timeoutMs }).then((ok) => {
          clearInterval(reporting);
          report();
          // Exits once the instance has the answer (the 'disconnect' handler above).
          if (process.connected) process.send?.({ type: 'closed', ok } satisfies FromWorker, disconnect);
        });
        break;
    }
  });
  post({ type: 'ready' });
}
