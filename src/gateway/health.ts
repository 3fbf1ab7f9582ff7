/**
 * Liveness and readiness as load balancers and orchestrators ask for them: `/healthz` answers while the event loop
 * turns; `/readyz` only while the store, broker, history and presence are reachable and the node is not draining. Open to anyone, so
 * they name the parts and nothing of the infrastructure behind them.
 */
import type { Broker } from '../broker/broker.js';
import type { HistoryStore } from '../history/history-store.js';
import type { PresenceStore } from '../presence/presence-store.js';
import type { RoomStore } from '../store/room-store.js';

export interface ReadinessReport {
  ready: boolean;
  status: 'ready' | 'not ready';
  /** One entry per part: `ok`, or why it is not ready. */
  checks: { store: string; broker: string; history: string; presence: string; node: string };
}

export function readiness(parts: {
  store: RoomStore;
  broker: Broker;
  historyStore: HistoryStore;
  presenceStore: PresenceStore;
  draining: boolean;
}): ReadinessReport {
  const reach = (part: { readonly connected?: boolean }): string =>
    part.connected === false ? 'unreachable' : 'ok';
  const checks = {
    store: reach(parts.store),
    broker: reach(parts.broker),
    history: reach(parts.historyStore),
    presence: reach(parts.presenceStore),
    node: parts.draining ? 'draining' : 'ok',
  };
  const ready = Object.values(checks).every((c) => c === 'ok');
  return { ready, status: ready ? 'ready' : 'not ready', checks };
}
