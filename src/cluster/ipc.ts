/**
 * Messages between the cluster primary and its workers (node:cluster IPC). Every message carries `tws` so that
 * other IPC traffic in the same process (an application's own) is left alone.
 */
import type { BrokerMessage } from '../broker/broker.js';
import type { ProcessIndex } from '../types.js';

/** Room store operations a worker asks the primary to run. */
export type StoreOp = 'add' | 'remove' | 'members' | 'roomsOf' | 'removeConnection' | 'count' | 'rooms';

export type WorkerToPrimary =
  | { tws: 'publish'; from: ProcessIndex; msg: BrokerMessage }
  | { tws: 'store'; id: number; op: StoreOp; args: (string | number)[] }
  | { tws: 'control-reply'; id: number; ok: boolean; value: unknown }
  | { tws: 'ready'; port: number }
  /** Application traffic (statistics, custom features): emitted as the supervisor's `app` event. */
  | { tws: 'app'; kind: string; payload: unknown };

export type PrimaryToWorker =
  | { tws: 'deliver'; msg: BrokerMessage }
  | { tws: 'store-reply'; id: number; ok: boolean; value: unknown }
  | { tws: 'control'; id: number; kind: string; payload: unknown };

export function isWorkerMessage(m: unknown): m is WorkerToPrimary {
  return typeof m === 'object' && m !== null && typeof (m as { tws?: unknown }).tws === 'string';
}

export function isPrimaryMessage(m: unknown): m is PrimaryToWorker {
  return typeof m === 'object' && m !== null && typeof (m as { tws?: unknown }).tws === 'string';
}

/** Environment a worker is started with. */
export const ENV_PROCESS_INDEX = 'TARS_WS_PROCESS_INDEX';
export const ENV_WORKER_ID = 'WORKER_ID';
