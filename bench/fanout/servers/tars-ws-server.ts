/** Target 1: the tars-ws demo chat gateway, as `npm start` runs it but silent, on port 0, without heartbeat. */
import { createChatApp } from '../../../examples/chat/app.js';
import { loadConfig, type GatewayConfig } from '../../../src/index.js';
import type { BenchServer } from './server.js';

/** The config of every tars-ws target: as `npm start` runs it, but silent, on port 0, without heartbeat. */
export function benchConfig(): GatewayConfig {
  return loadConfig({
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
}

export async function startTarsWs(): Promise<BenchServer> {
  const gateway = await createChatApp(benchConfig());
  await gateway.listen();
  return { url: gateway.url, close: () => gateway.close() };
}
