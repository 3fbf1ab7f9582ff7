/** Server starters by target; loaded lazily so a server process imports only the library it benchmarks. */
import type { TargetName } from '../targets.js';
import type { StartServer } from './server.js';

export const SERVERS: Record<TargetName, () => Promise<StartServer>> = {
  'tars-ws': async () => (await import('./tars-ws-server.js')).startTarsWs,
  ws: async () => (await import('./ws-server.js')).startWs,
  'socket.io': async () => (await import('./socketio-server.js')).startSocketIo,
  'ws-corked': async () => (await import('./ws-server.js')).startWsCorked,
  'tars-ws-stats': async () => (await import('./tars-ws-stats-server.js')).startTarsWsStats,
  'tars-ws-metrics': async () => (await import('./tars-ws-metrics-server.js')).startTarsWsMetrics,
};
