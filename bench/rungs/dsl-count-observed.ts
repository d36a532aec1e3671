import type { KafkaStreams } from '@kaskade/core';
import { runDslCount } from './dsl-count.js';
import type { Rung } from '../lib/rung.js';

/** How often the scraper reads /metrics: Prometheus' usual scrape interval is longer, so this is the harsher case. */
const SCRAPE_INTERVAL_MS = 1000;

/**
 * Reads `/metrics` every second, as a Prometheus server would, until the returned function is called. Each response
 * is read to the end (the server renders the whole registry); a failed scrape (the instance closing) is ignored.
 */
function scrapeMetrics(streams: KafkaStreams): () => void {
  const url = `${streams.serverUrl() ?? ''}/metrics`;
  const timer = setInterval(() => {
    fetch(url)
      .then((response) => response.text())
      .catch(() => undefined);
  }, SCRAPE_INTERVAL_MS);
  return () => clearInterval(timer);
}

/**
 * `dsl-count` with the observability server (`server: { port: 0 }`) and Prometheus metrics on and a scraper reading
 * them every second. Issue #15's bar: its ratio stays at least 0.97× `dsl-count`'s in the same round.
 */
export const dslCountObserved: Rung = {
  name: 'dsl-count-observed',
  description: 'dsl-count with the observability server and metrics on, /metrics scraped every second',
  guarantee: 'at_least_once',
  writesOutput: true,
  run: (ctx) =>
    runDslCount(ctx, 'at_least_once', false, {
      config: { server: { port: 0 }, metrics: {} },
      whileRunning: scrapeMetrics,
    }),
};
