/**
 * Runs a gateway application in one process or as a cluster of `config.workers` processes sharing the port.
 * The same entry file runs in the primary and in the workers: the primary supervises, the workers serve.
 *
 * @example
 *   const config = loadConfig({ argv: process.argv.slice(2) });
 *   await runGateway(config, (config, deps) => createChatApp(config, deps));
 */
import cluster from 'node:cluster';
import { currentTarsConfig } from './config-load.js';
import type { GatewayConfig } from '../config/options.js';
import type { Gateway, GatewayDeps } from '../gateway/gateway.js';
import { memoryHistoryStore } from '../gateway/backends.js';
import { closeOnSignals } from '../gateway/signals.js';
import { createLogger } from '../logger.js';
import type { AdminCommands } from './tars/admin-worker.js';
import { attachTarsWorker } from './tars/launcher-worker.js';
import { openRoomStore } from './backends.js';
import { Supervisor } from './supervisor.js';
import { enableAdmin, serveClusterAdmin, shareAdminSalt } from './admin.js';
import { IpcAdminCluster } from '../cluster/admin-cluster-ipc.js';
import { enableMetrics, metricsControl, serveClusterMetrics } from './metrics/metrics.js';
import {
  announceReady,
  clusterWorkerDeps,
  isClusterWorker,
  serveControl,
  type ControlHandler,
} from '../cluster/worker.js';

export type BuildGateway = (config: Readonly<GatewayConfig>, deps: GatewayDeps) => Promise<Gateway>;

export type RunningGateway =
  | { role: 'single'; gateway: Gateway }
  | { role: 'worker'; gateway: Gateway }
  | { role: 'primary'; supervisor: Supervisor; port: number };

export interface RunOptions {
  /** Control request handlers of each worker (kind -> handler), e.g. for admin commands. */
  control?: (gateway: Gateway) => ReadonlyMap<string, ControlHandler>;
  /**
   * Application commands for AdminObj's notify on the Tars platform (`notify("<name> <args>")` runs the handler
   * in every worker). Used only when the process runs with a Tars config.
   */
  adminCommands?: AdminCommands;
}

export async function runGateway(
  config: Readonly<GatewayConfig>,
  build: BuildGateway,
  options: RunOptions = {},
): Promise<RunningGateway> {
  // With a Tars config (loadConfig saw -c or TARS_CONFIG), every serving process also hosts PushObj.
  const tars = currentTarsConfig();
  if (config.workers <= 1 && !isClusterWorker()) {
    const gateway = await build(config, {});
    if (tars) await attachTarsWorker(gateway, tars, { adminCommands: options.adminCommands });
    // After the platform's statistics: metrics compose with the observer those set.
    if (config.metrics === 'on') enableMetrics(gateway);
    // The dashboard's drain is SIGTERM's: drain, then exit (the orchestrator decides whether to start it again).
    await enableAdmin(gateway, { afterDrain: () => process.exit(0) });
    closeOnSignals(gateway);
    await gateway.listen();
    return { role: 'single', gateway };
  }
  if (cluster.isPrimary) {
    const logger = createLogger(config.logLevel, 'tars-ws-primary', config.logFormat);
    // Workers with the file store write to it directly: the primary clears what a previous run left (connection ids
    // restart) and sweeps a dead worker's connections out of it.
    const sharedStore =
      config.roomStore === 'file'
        ? await openRoomStore({ type: 'file', dir: config.roomStoreDir, reset: true })
        : undefined;
    const supervisor = new Supervisor({
      workers: config.workers,
      logger,
      stopTimeoutMs: config.shutdownGraceMs + 5000,
      sharedStore,
      history: memoryHistoryStore(config),
    });
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping workers');
      supervisor.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    serveClusterMetrics(supervisor);
    if (config.adminPassword !== '') {
      // One session key for every worker (requests go to any of them), and the primary routes between them.
      shareAdminSalt();
      serveClusterAdmin(supervisor);
    }
    const port = await supervisor.start();
    logger.info({ workers: config.workers, port }, 'tars-ws cluster ready');
    return { role: 'primary', supervisor, port };
  }
  const gateway = await build(config, clusterWorkerDeps(config));
  const platform = tars
    ? await attachTarsWorker(gateway, tars, { adminCommands: options.adminCommands })
    : undefined;
  const metrics = config.metrics === 'on' ? [metricsControl(enableMetrics(gateway))] : [];
  // A drained worker exits; the primary starts a fresh one in its slot (a rolling restart of that worker).
  const admin = await enableAdmin(gateway, { afterDrain: () => process.exit(0) });
  const adminControl = admin?.cluster instanceof IpcAdminCluster ? admin.cluster.handlers : [];
  const handlers = new Map([
    ...(platform?.control ?? []),
    ...metrics,
    ...adminControl,
    ...(options.control?.(gateway) ?? []),
  ]);
  if (handlers.size > 0) serveControl(handlers);
  closeOnSignals(gateway);
  // A worker whose primary is gone must not linger as an orphan holding the port.
  process.on('disconnect', () => void gateway.close().then(() => process.exit(0)));
  const addr = await gateway.listen();
  announceReady(addr.port);
  return { role: 'worker', gateway };
}
