/**
 * Target `tars-ws-metrics`: the tars-ws target with Prometheus metrics on (`enableMetrics`, as `npm start` has
 * them), scraped once a second over HTTP like a Prometheus server would (ten times the usual 15 s), so that the
 * cost of counting and of rendering the scrapes counts against this target.
 */
import { get } from 'node:http';
import { createChatApp } from '../../../examples/chat/app.js';
import { enableMetrics } from '../../../src/index.js';
import type { BenchServer } from './server.js';
import { benchConfig } from './tars-ws-server.js';

const SCRAPE_EVERY_MS = 1000;

export async function startTarsWsMetrics(): Promise<BenchServer> {
  const gateway = await createChatApp(benchConfig());
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
