/**
 * Target `tars-ws-metrics`: the tars-ws target with Prometheus metrics on (`enableMetrics`, as `npm start` has
 * them), scraped once a second over HTTP like a Prometheus server would (ten times the usual 15 s), so that the
 * cost of counting and of rendering the scrapes counts against this target.
 */
import { get } from 'node:http';
import { createChatApp } from '../../../examples/chat/app.js';
import { enableMetrics, loadConfig } from '../../../src/index.js';
import type { BenchServer } from './server.js';

const SCRAPE_EVERY_MS = 1000;

export async function startTarsWsMetrics(): Promise<BenchServer> {
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0,
      logLevel: 'silent',
      heartbeatIntervalMs: 0,
      shutdownGraceMs: 1000,
      // Every subscriber of the benchmark comes from 127.0.0.1.
      maxConnectionsPerAddress: 100_000,
    },
  });
  const gateway = await createChatApp(config);
  enableMetrics(gateway);
  await gateway.listen();
  const scraper = setInterval(() => {
    get(`${gateway.url}/metrics`, { agent: false }, (res) => res.resume()).on('error', () => undefined);
  }, SCRAPE_EVERY_MS);
  return {
    url: gateway.url,
    close: async () => {
      clearInterval(scraper);
      await gateway.close();
    },
  };
}
