/**
 * The worker side of a cluster: the store and broker a worker uses, its process index, and the answers to the
 * primary's control requests.
 */
import { ClusterBroker } from './broker-cluster.js';
import { engineOf, type GatewayConfig } from '../config/options.js';
import type { GatewayDeps } from '../gateway/gateway.js';
import { IpcHistoryStore } from './history-store-ipc.js';
import { IpcPresenceStore } from './presence-store-ipc.js';
import { IpcRoomStore } from './room-store-ipc.js';
import { ENV_PROCESS_INDEX, ENV_WORKER_ID, isPrimaryMessage, type WorkerToPrimary } from './ipc.js';

/** True in a process forked by {@link Supervisor}. */
export function isClusterWorker(): boolean {
  return process.env[ENV_PROCESS_INDEX] !== undefined && typeof process.send === 'function';
}

/** 0..n-1 within the cluster (stable across restarts of the same slot). */
export function workerId(): number {
  return Number(process.env[ENV_WORKER_ID] ?? 0);
}

/**
 * The dependencies of a worker's gateway: with the local broker, pushes go through the primary; the memory store,
 * history and presence live in the primary; shared backends (file, Redis) are used directly and are left to the config.
 */
export function clusterWorkerDeps(config: Readonly<GatewayConfig>): GatewayDeps {
  const deps: GatewayDeps = {};
  if (config.broker === 'local') {
    const processIndex = Number(process.env[ENV_PROCESS_INDEX]);
    deps.processIndex = processIndex;
    deps.broker = new ClusterBroker(processIndex);
    deps.nodeId = `w${workerId()}`;
  }
  if (config.roomStore === 'memory') deps.store = new IpcRoomStore();
  if (engineOf(config, 'historyEngine') === 'memory') deps.history = new IpcHistoryStore();
  if (engineOf(config, 'presenceEngine') === 'memory') deps.presence = new IpcPresenceStore();
  return deps;
}

export type ControlHandler = (payload: unknown) => unknown;

/** Answers the primary's control requests of each kind (e.g. admin commands) with the handler's result. */
export function serveControl(handlers: ReadonlyMap<string, ControlHandler>): () => void {
  const onMessage = (m: unknown): void => {
    if (!isPrimaryMessage(m) || m.tws !== 'control') return;
    const handler = handlers.get(m.kind);
    const send = (ok: boolean, value: unknown): void => {
      const out: WorkerToPrimary = { tws: 'control-reply', id: m.id, ok, value };
      if (process.connected) process.send?.(out);
    };
    if (!handler) return send(false, `unknown control request ${m.kind}`);
    Promise.resolve()
      .then(() => handler(m.payload))
      .then(
        (v) => send(true, v),
        (err: unknown) => send(false, err instanceof Error ? err.message : String(err)),
      );
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}

/** Tells the primary this worker listens. */
export function announceReady(port: number): void {
  const out: WorkerToPrimary = { tws: 'ready', port };
  process.send?.(out);
}

/** Sends application traffic to the primary (its supervisor emits `app`). No-op outside a cluster worker. */
export function sendToPrimary(kind: string, payload: unknown): boolean {
  if (!process.connected || !process.send) return false;
  const out: WorkerToPrimary = { tws: 'app', kind, payload };
  return process.send(out);
}

const asks = new Map<number, (ok: boolean, value: unknown) => void>();
let nextAsk = 1;
let listening = false;

/**
 * Asks the primary (a handler set with `Supervisor.answer(kind, ...)`) and waits for its answer, at most
 * `timeoutMs` (default 5000). Rejects outside a cluster worker, on timeout, or when the handler failed.
 */
export function askPrimary(kind: string, payload: unknown, timeoutMs = 5000): Promise<unknown> {
  if (!process.connected || !process.send) return Promise.reject(new Error('not a cluster worker'));
  if (!listening) {
    listening = true;
    process.on('message', (m: unknown) => {
      if (isPrimaryMessage(m) && m.tws === 'answer') asks.get(m.id)?.(m.ok, m.value);
    });
  }
  const id = nextAsk++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => settle(false, `no answer from the primary to ${kind} in ${timeoutMs} ms`),
      timeoutMs,
    );
    const settle = (ok: boolean, value: unknown): void => {
      clearTimeout(timer);
      asks.delete(id);
      if (ok) resolve(value);
      else reject(new Error(String(value)));
    };
    asks.set(id, settle);
    const out: WorkerToPrimary = { tws: 'ask', id, kind, payload };
    process.send?.(out);
  });
}
