/**
 * Messages between the cluster primary and its workers (node:cluster IPC). Every message carries `tws` so that
 * other IPC traffic in the same process (an application's own) is left alone.
 */
import type { BusTarget } from '../broker/broker-bus.js';
import type { RoomStore } from '../store/room-store.js';
import type { ProcessIndex } from '../types.js';

/** Room store operations a worker asks the primary to run. */
export type StoreOp = 'add' | 'remove' | 'members' | 'roomsOf' | 'removeConnection' | 'count' | 'rooms';

/** History and presence operations a worker asks the primary to run on the machine's memory engines. */
export type EngineOp =
  | 'history.append'
  | 'history.read'
  | 'history.position'
  | 'history.remove'
  | 'presence.add'
  | 'presence.remove'
  | 'presence.get'
  | 'presence.stats';

export type WorkerToPrimary =
  /** A broker message encoded once by the worker (broker-codec), relayed as is. */
  | { tws: 'publish'; from: ProcessIndex; target: BusTarget; text: string }
  | { tws: 'store'; id: number; op: StoreOp; args: (string | number)[] }
  | { tws: 'engine'; id: number; op: EngineOp; args: unknown[] }
  | { tws: 'control-reply'; id: number; ok: boolean; value: unknown }
  | { tws: 'ready'; port: number }
  /** Application traffic (statistics, custom features): emitted as the supervisor's `app` event. */
  | { tws: 'app'; kind: string; payload: unknown }
  /** A request to the primary (e.g. the machine's metrics), answered by a handler set with `Supervisor.answer`. */
  | { tws: 'ask'; id: number; kind: string; payload: unknown };

export type PrimaryToWorker =
  | { tws: 'deliver'; text: string }
  | { tws: 'store-reply'; id: number; ok: boolean; value: unknown }
  | { tws: 'engine-reply'; id: number; ok: boolean; value: unknown }
  | { tws: 'control'; id: number; kind: string; payload: unknown }
  | { tws: 'answer'; id: number; ok: boolean; value: unknown };

export function isWorkerMessage(m: unknown): m is WorkerToPrimary {
  return typeof m === 'object' && m !== null && typeof (m as { tws?: unknown }).tws === 'string';
}

export function isPrimaryMessage(m: unknown): m is PrimaryToWorker {
  return typeof m === 'object' && m !== null && typeof (m as { tws?: unknown }).tws === 'string';
}

/** Environment a worker is started with. */
export const ENV_PROCESS_INDEX = 'TARS_WS_PROCESS_INDEX';
export const ENV_WORKER_ID = 'WORKER_ID';

/**
 * The worker's end of the IPC channel: `process` in a real worker; tests give an in-memory one, so the worker-side
 * classes run their conformance suites in one process.
 */
export interface IpcChannel {
  readonly connected: boolean;
  send(message: WorkerToPrimary): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  off(event: 'message', listener: (message: unknown) => void): void;
}

/** This process's IPC channel to its primary, or undefined when it has none. */
export function processChannel(): IpcChannel | undefined {
  if (typeof process.send !== 'function') return undefined;
  return {
    get connected() {
      return process.connected;
    },
    send: (message) => void process.send?.(message),
    on: (event, listener) => void process.on(event, listener),
    off: (event, listener) => void process.off(event, listener),
  };
}

/**
 * Whether the primary relays a publish of worker `from` to worker `to`: a send to one process goes to its holder
 * only; everything else to every worker but the publisher (which delivered it to its own receivers already).
 */
export function relayReaches(target: BusTarget, from: ProcessIndex, to: ProcessIndex): boolean {
  return target.to === 'process' ? to === target.process : to !== from;
}

/** The primary's answer to a worker's store request: the operation run on `store`, or its failure as text. */
export async function answerStoreOp(
  store: RoomStore,
  id: number,
  op: StoreOp,
  args: readonly (string | number)[],
): Promise<PrimaryToWorker> {
  try {
    return { tws: 'store-reply', id, ok: true, value: await applyStoreOp(store, op, args) };
  } catch (err) {
    return { tws: 'store-reply', id, ok: false, value: (err as Error).message };
  }
}

/** Runs one store operation a worker sent (the primary's side of IpcRoomStore). */
export function applyStoreOp(
  store: RoomStore,
  op: StoreOp,
  args: readonly (string | number)[],
): Promise<unknown> {
  const [a, b] = args;
  switch (op) {
    case 'add':
      return store.add(String(a), Number(b));
    case 'remove':
      return store.remove(String(a), Number(b));
    case 'members':
      return store.members(String(a));
    case 'roomsOf':
      return store.roomsOf(Number(a));
    case 'removeConnection':
      return store.removeConnection(Number(a));
    case 'count':
      return store.count(String(a));
    case 'rooms':
      return store.rooms();
    default:
      return Promise.reject(new Error(`unknown store operation ${String(op)}`));
  }
}
