/**
 * Another Tars service's side of PushObj: the official @tars/rpc client calling `TarsWs.Push` (the app's
 * tars/push.tars) the way a Node service on the platform would.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface RpcResult {
  response: { return?: unknown; arguments?: Record<string, unknown> };
}
interface RefPushProxy {
  setTimeout(ms: number): void;
  pushToRoom(room: string, message: string): Promise<RpcResult>;
  pushToAll(message: string): Promise<RpcResult>;
  roomCount(room: string): Promise<RpcResult>;
}
interface Communicator {
  stringToProxy(proxy: unknown, objName: string): RefPushProxy;
  destroy(): void;
}
interface RpcModule {
  Communicator: { New(): Communicator };
}

// @tars/rpc must be loaded before the generated file, which requires it back.
const Rpc = require('@tars/rpc') as RpcModule;
const Gen = (require('./generated/PushProxy.cjs') as { TarsWs: Record<string, unknown> }).TarsWs;

/** TarsWs.Push through the official client; every method resolves with the call's return value. */
export interface PushClient {
  pushToRoom(room: string, message: string): Promise<number>;
  pushToAll(message: string): Promise<number>;
  roomCount(room: string): Promise<number>;
  destroy(): void;
}

function ret(p: Promise<RpcResult>): Promise<number> {
  return p.then(
    (r) => Number(r.response.return),
    (e: unknown) => {
      const err = (e as { response?: { error?: { code?: number; message?: string } } }).response?.error;
      throw new Error(`Push call failed: ${err?.code ?? '?'} ${err?.message ?? String(e)}`);
    },
  );
}

/** A client of `<App>.<Server>.PushObj@tcp -h HOST -p PORT`. */
export function pushClient(address: string, timeoutMs = 5000): PushClient {
  const comm = Rpc.Communicator.New();
  const prx = comm.stringToProxy(Gen.PushProxy, address);
  prx.setTimeout(timeoutMs);
  return {
    pushToRoom: (room, message) => ret(prx.pushToRoom(room, message)),
    pushToAll: (message) => ret(prx.pushToAll(message)),
    roomCount: (room) => ret(prx.roomCount(room)),
    destroy: () => comm.destroy(),
  };
}
