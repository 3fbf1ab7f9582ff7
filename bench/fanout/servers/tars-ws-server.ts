/**
 * Target 1: the tars-ws demo chat gateway, as `npm start` runs it but silent, on port 0, without heartbeat. The
 * same server takes the `tars-ws-centrifuge` and `tars-ws-mixed` subscribers on `/connection/websocket`.
 */
import { createChatApp } from '../../../examples/chat/app.js';
import { loadConfig, type GatewayConfig } from '../../../src/index.js';
import type { BenchServer } from './server.js';

/**
 * Rooms are channels without a namespace; once channel permissions exist (`channelDefaults`, all denied by
 * default as in Centrifugo) anonymous bench clients must be let in. Given by env so the key is simply ignored by a
 * gateway that does not know it yet.
 */
export const OPEN_CHANNELS = { allowSubscribeForClient: true, allowSubscribeForAnonymous: true } as const;
const BENCH_ENV = { CHANNEL_DEFAULTS: JSON.stringify(OPEN_CHANNELS) };

/**
 * The config of every tars-ws target: as `npm start` runs it, but silent, on port 0, without heartbeat (the
 * Centrifugo pings as rare as allowed), with `overrides` on top; `env` adds or replaces environment values (as
 * text, the way an operator sets them).
 */
export function benchConfig(
  overrides: Partial<GatewayConfig> = {},
  env: Record<string, string> = {},
): GatewayConfig {
  return loadConfig({
    env: { ...BENCH_ENV, ...env },
    overrides: {
      port: 0,
      logLevel: 'silent',
      heartbeatIntervalMs: 0,
      centrifugePingIntervalMs: 3_600_000,
      shutdownGraceMs: 1000,
      // Every subscriber of the benchmark comes from 127.0.0.1.
      maxConnectionsPerAddress: 100_000,
      ...overrides,
    },
  });
}

export async function startTarsWs(): Promise<BenchServer> {
  const gateway = await createChatApp(benchConfig());
  await gateway.listen();
  return { url: gateway.url, close: () => gateway.close() };
}
