/**
 * Liveness and readiness as load balancers and orchestrators ask for them: `/healthz` answers while the event loop
 * turns; `/readyz` only while the store and broker are reachable and the node is not draining. Open to anyone, so
 * they name the parts and nothing of the infrastructure behind them.
 */
import type { Broker } from '../broker/broker.js';
import type { RoomStore } from '../store/room-store.js';

export interface ReadinessReport {
  ready: boolean;
  status: 'ready' | 'not ready';
  /** One entry per part: `ok`, or why it is not ready. */
  checks: { store: string; broker: string; node: string };
}

export function readiness(parts: { store: RoomStore; broker: Broker; draining: boolean }): ReadinessReport {
  const checks = {
    store: parts.store.connected === false ? 'unreachable' : 'ok',
    broker: parts.broker.connected === false ? 'unreachable' : 'ok',
    node: parts.draining ? 'draining' : 'ok',
  };
  const ready = Object.values(checks).every((c) => c === 'ok');
  return { ready, status: ready ? 'ready' : 'not ready', checks };
}
