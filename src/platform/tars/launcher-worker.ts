/**
 * The platform side of a gateway process started with a Tars config: PushObj on its tars adapter (node:cluster
 * shares the port between workers), the answers to the launcher's AdminObj requests, and the traffic statistics
 * (shipped to the launcher from a worker, reported from here in a single process). `runGateway` calls it, so every
 * tars-ws application gets all three without code of its own.
 */
import { isClusterWorker, type ControlHandler } from '../../cluster/worker.js';
import type { Gateway } from '../../gateway/gateway.js';
import { attachWorkerStats, startStatReporting } from '../stats/index.js';
import { formatEndpoint } from '../../tars/rpc/endpoint.js';
import { TarsServer } from '../../tars/rpc/tars-server.js';
import { adminControlHandlers, type AdminCommands } from './admin-worker.js';
import { PushServant } from './push-servant.js';
import { pushAdapterOf } from './tars-conf-gateway.js';
import type { TarsServerConfig } from './tars-conf.js';

export interface TarsWorkerOptions {
  /** The application's admin commands (AdminObj notify). */
  adminCommands?: AdminCommands;
}

/** What the platform attached to one gateway process. */
export interface TarsWorker {
  /** Control handlers to serve for the launcher (in a cluster worker). */
  control: Map<string, ControlHandler>;
  /** The PushObj server, when the config has a PushObj adapter. */
  pushServer: TarsServer | undefined;
}

/**
 * Starts PushObj (if configured) and the statistics, and returns the admin control handlers; all of it stops with
 * the gateway. Call before `gateway.listen()`.
 */
export async function attachTarsWorker(
  gateway: Gateway,
  tars: TarsServerConfig,
  options: TarsWorkerOptions = {},
): Promise<TarsWorker> {
  const adapter = pushAdapterOf(tars);
  let pushServer: TarsServer | undefined;
  if (adapter) {
    pushServer = new TarsServer({
      endpoint: formatEndpoint(adapter.endpoint),
      logger: gateway.logger.child({ component: 'PushObj' }),
    });
    pushServer.addServant(
      adapter.servant,
      new PushServant(gateway, { servant: adapter.servant, allow: adapter.allow }),
      PushServant.operations,
    );
    await pushServer.listen();
    const server = pushServer;
    gateway.atShutdown(() => server.close(1000));
  }
  attachWorkerStats(gateway);
  if (!isClusterWorker()) {
    // No launcher gathers this process's figures: it reports them itself.
    const reporting = startStatReporting({ tarsConfig: tars, logger: gateway.logger });
    gateway.atShutdown(() => reporting.stop());
  }
  return { control: adminControlHandlers(gateway, options.adminCommands), pushServer };
}
