/**
 * tarsnode's side of AdminObj: the official @tars/rpc client calling `AdminF.notify` (the web console's "send
 * command") and `AdminF.shutdown` (stop) on a server's `server.local` endpoint.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface RpcResult {
  response: { return?: unknown };
}
interface RefAdminProxy {
  setTimeout(ms: number): void;
  notify(command: string): Promise<RpcResult>;
  shutdown(): Promise<RpcResult>;
}
interface Communicator {
  stringToProxy(proxy: unknown, objName: string): RefAdminProxy;
  destroy(): void;
}
interface RpcModule {
  Communicator: { New(): Communicator };
}

// @tars/rpc must be loaded before the generated file, which requires it back.
const Rpc = require('@tars/rpc') as RpcModule;
const Gen = (require('./generated/AdminFProxy.cjs') as { tars: Record<string, unknown> }).tars;

/** AdminF through the official client. */
export interface AdminClient {
  notify(command: string): Promise<string>;
  shutdown(): Promise<void>;
  destroy(): void;
}

function callError(e: unknown): Error {
  const err = (e as { response?: { error?: { code?: number; message?: string } } }).response?.error;
  return new Error(`AdminF call failed: ${err?.code ?? '?'} ${err?.message ?? String(e)}`);
}

/** A client of `<App>.<Server>.AdminObj@tcp -h 127.0.0.1 -p <local port>`. */
export function adminClient(address: string, timeoutMs = 5000): AdminClient {
  const comm = Rpc.Communicator.New();
  const prx = comm.stringToProxy(Gen.AdminFProxy, address);
  prx.setTimeout(timeoutMs);
  return {
    notify: (command) =>
      prx.notify(command).then(
        (r) => String(r.response.return),
        (e: unknown) => {
          throw callError(e);
        },
      ),
    shutdown: () =>
      prx.shutdown().then(
        () => undefined,
        (e: unknown) => {
          throw callError(e);
        },
      ),
    destroy: () => comm.destroy(),
  };
}
