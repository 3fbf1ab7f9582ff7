/** Server starters by name; loaded lazily so a server process imports only the library it benchmarks. */
import type { TargetName } from '../targets.js';
import type { StartServer } from './server.js';

/**
 * The fan-out targets, `tars-ws-tokens`, the connect benchmark's server (bench/connect.ts), and the recovery
 * benchmark's (bench/recovery.ts).
 */
export type ServerName = TargetName | 'tars-ws-tokens' | 'tars-ws-recovery' | 'tars-ws-recovery-redis';

const tarsWs = async (): Promise<StartServer> => (await import('./tars-ws-server.js')).startTarsWs;

export const SERVERS: Record<ServerName, () => Promise<StartServer>> = {
  'tars-ws': tarsWs,
  'tars-ws-centrifuge': tarsWs,
  'tars-ws-mixed': tarsWs,
  ws: async () => (await import('./ws-server.js')).startWs,
  'socket.io': async () => (await import('./socketio-server.js')).startSocketIo,
  'ws-corked': async () => (await import('./ws-server.js')).startWsCorked,
  'tars-ws-stats': async () => (await import('./tars-ws-stats-server.js')).startTarsWsStats,
  'tars-ws-metrics': async () => (await import('./tars-ws-metrics-server.js')).startTarsWsMetrics,
  'tars-ws-history': async () => (await import('./tars-ws-history-server.js')).startTarsWsHistory,
  'tars-ws-history-redis': async () => (await import('./tars-ws-history-server.js')).startTarsWsHistoryRedis,
  'tars-ws-tokens': async () => (await import('./tars-ws-tokens-server.js')).startTarsWsTokens,
  'tars-ws-recovery': async () => (await import('./tars-ws-recovery-server.js')).startTarsWsRecovery,
  'tars-ws-recovery-redis': async () =>
    (await import('./tars-ws-recovery-server.js')).startTarsWsRecoveryRedis,
};

export function isServerName(name: string): name is ServerName {
  return Object.hasOwn(SERVERS, name);
}
