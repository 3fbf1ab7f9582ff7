/**
 * The launcher's heartbeat to tarsnode (`server.node`, ServerF): reportVersion once, then keepAlive for every adapter
 * at a fixed interval. tarsnode restarts a server whose keepAlives stop, so a failed call is only logged: the next
 * beat tries again, and nothing here may stop the server.
 */
import type { Logger } from 'pino';
import { ObjectProxy } from '../../tars/rpc/object-proxy.js';
import { ServerFProxy } from './generated/NodeF.js';
import type { TarsServerConfig } from './tars-conf.js';

/** The adapter name TarsCpp servers beat for their admin listener; tarsnode tracks it like the others. */
export const ADMIN_ADAPTER = 'AdminAdapter';

export interface KeepAliveOptions {
  tars: TarsServerConfig;
  /** Reported once with reportVersion. */
  version: string;
  /** The pid tarsnode knows (the launcher's). Default `process.pid`. */
  pid?: number;
  /** Interval between beats. Default 10000 ms (what tarsnode expects). */
  intervalMs?: number;
  logger: Logger;
}

/** A running heartbeat. */
export interface KeepAlive {
  /** Stops beating and closes the connection to tarsnode. */
  stop(): Promise<void>;
}

/**
 * Starts the heartbeat; a config without `server.node` (a server started by hand) gets a no-op one.
 * @example
 *   const beat = startKeepAlive({ tars, version: '0.1.0', logger });
 *   await beat.stop();
 */
export function startKeepAlive(opts: KeepAliveOptions): KeepAlive {
  const { tars, logger } = opts;
  if (tars.node === '' || !tars.node.includes('@')) {
    logger.warn({ node: tars.node }, 'no server.node endpoint in the Tars config: not sending keepAlive');
    return { stop: () => Promise.resolve() };
  }
  const proxy = new ObjectProxy(tars.node, { timeout: tars.syncInvokeTimeoutMs, logger });
  const node = new ServerFProxy(proxy);
  const pid = opts.pid ?? process.pid;
  const adapters = [...tars.adapters.map((a) => a.name), ADMIN_ADAPTER];
  const failed = (call: string) => (err: unknown) =>
    logger.warn({ err: err instanceof Error ? err.message : String(err), node: tars.node }, `${call} failed`);

  node.reportVersion(tars.app, tars.server, opts.version, { oneway: true }).catch(failed('reportVersion'));
  const beat = (): void => {
    for (const adapter of adapters) {
      node
        .keepAlive({ application: tars.app, serverName: tars.server, pid, adapter }, { oneway: true })
        .catch(failed('keepAlive'));
    }
  };
  beat();
  const timer = setInterval(beat, opts.intervalMs ?? 10_000);
  return {
    stop: async () => {
      clearInterval(timer);
      await proxy.close(1000);
    },
  };
}
