/**
 * Our tars_nodejs launcher (the official @tars/node-agent cannot be installed here): tarsnode starts it with
 * `<app dir> -c <conf>`. It becomes the node:cluster primary of the application's workers, tells tarsnode it is
 * alive (reportVersion, keepAlive), serves AdminObj on `server.local` (shutdown, notify) and logs to the file the
 * platform shows. The workers run the application's own entry, which finds the config through TARS_CONFIG.
 */
import cluster from 'node:cluster';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { serveClusterAdmin, shareAdminSalt } from '../admin.js';
import { serveClusterMetrics } from '../metrics/metrics.js';
import { Supervisor } from '../supervisor.js';
import { openStatStore, startStatReporting } from '../stats/index.js';
import { formatEndpoint } from '../../tars/rpc/endpoint.js';
import { TarsServer } from '../../tars/rpc/tars-server.js';
import { AdminNotify } from './admin-commands.js';
import { AdminServant, adminServantNames } from './admin-servant.js';
import { startKeepAlive, type KeepAlive } from './keepalive.js';
import { findAppEntry } from './launcher-entry.js';
import { openLauncherLog } from './launcher-log.js';
import { checkServiceDescriptor, loadServiceDescriptor } from './service-descriptor.js';
import { pinoLevelOf, webAdapterOf } from './tars-conf-gateway.js';
import { readTarsServerConfig, type TarsServerConfig } from './tars-conf.js';

export interface LauncherOptions {
  /** The application folder (holds package.json and tars/tars.proto.json). */
  appDir: string;
  /** The Tars config file tarsnode wrote. */
  confFile: string;
  /** keepAlive interval. Default 10000 ms. */
  keepAliveIntervalMs?: number;
  /** Where statistics wait between reports: `memory` (default) or a `redis://` URL (env STAT_STORE). */
  statStore?: string;
  /** Shortest stat/property report interval (the platform's is 10000 ms); tests lower it. */
  statMinIntervalMs?: number;
}

export class Launcher {
  readonly tars: TarsServerConfig;
  readonly logger: Logger;
  readonly supervisor: Supervisor;
  /** Resolves once everything has stopped (after {@link stop}). */
  readonly stopped: Promise<void>;
  readonly #opts: LauncherOptions;
  readonly #version: string;
  #admin: TarsServer | undefined;
  #keepAlive: KeepAlive | undefined;
  readonly #stopHooks: (() => Promise<void>)[] = [];
  #stopping: Promise<void> | undefined;
  #markStopped!: () => void;

  /** Reads and checks everything that can be wrong before any process starts. @throws ConfigError */
  constructor(opts: LauncherOptions) {
    if (!cluster.isPrimary) throw new Error('the launcher runs in the cluster primary only');
    this.#opts = { ...opts, appDir: resolve(opts.appDir), confFile: resolve(opts.confFile) };
    const tars = readTarsServerConfig(this.#opts.confFile);
    this.tars = tars;
    const descriptor = loadServiceDescriptor(this.#opts.appDir);
    const web = descriptor ? checkServiceDescriptor(descriptor, tars) : webAdapterOf(tars);
    const app = findAppEntry(this.#opts.appDir);
    const log = openLauncherLog(tars, pinoLevelOf(tars.logLevel));
    this.logger = log.logger;
    this.#version = app.version || '0.0.0';
    if (!descriptor) this.logger.warn({ appDir: this.#opts.appDir }, 'no tars/tars.proto.json in the app');

    // The official launcher's environment, which applications may rely on.
    const host = web.endpoint.host;
    const port = String(web.endpoint.port);
    Object.assign(process.env, {
      TARS_CONFIG: this.#opts.confFile,
      TARS_WS_APP_DIR: this.#opts.appDir,
      IP: host,
      PORT: port,
      HTTP_IP: host,
      HTTP_PORT: port,
    });
    cluster.setupPrimary({
      exec: app.entry,
      args: [],
      cwd: this.#opts.appDir,
      ...(log.fd === undefined ? {} : { stdio: ['ignore', log.fd, log.fd, 'ipc'] }),
    });
    this.supervisor = new Supervisor({
      workers: web.threads,
      logger: this.logger,
      // Workers close their clients within shutdownGraceMs (derived from the same timeout); kill before tarsnode does.
      stopTimeoutMs: Math.max(500, tars.deactivatingTimeoutMs - 500),
    });
    // The admin dashboard of the workers (when their config sets adminPassword): one session key for all of them,
    // and this primary gathers their snapshots and routes commands between them.
    shareAdminSalt();
    serveClusterAdmin(this.supervisor);
    // One /metrics scrape of any worker shows the whole server, as with `runGateway`'s own primary.
    serveClusterMetrics(this.supervisor);
    this.stopped = new Promise((r) => (this.#markStopped = r));
    this.logger.info(
      {
        app: tars.app,
        server: tars.server,
        entry: app.entry,
        workers: web.threads,
        web: formatEndpoint(web.endpoint),
      },
      'launcher starting',
    );
  }

  /** Serves AdminObj, starts the workers, then reports to tarsnode. Resolves with the shared port once all listen. */
  async start(): Promise<number> {
    const { tars } = this;
    // AdminObj first: tarsnode can stop a server whose workers never come up.
    if (tars.local) {
      const admin = new TarsServer({
        endpoint: formatEndpoint(tars.local),
        logger: this.logger.child({ component: 'AdminObj' }),
      });
      const notify = new AdminNotify({
        tars,
        supervisor: this.supervisor,
        logger: this.logger,
        appDir: this.#opts.appDir,
      });
      const servant = new AdminServant({
        shutdown: () => {
          this.logger.info('AdminObj shutdown');
          void this.stop().then(() => process.exit(0));
        },
        notify: (command) => notify.notify(command),
      });
      for (const name of adminServantNames(tars.app, tars.server)) {
        admin.addServant(name, servant, AdminServant.operations);
      }
      await admin.listen();
      this.#admin = admin;
    } else {
      this.logger.warn('no server.local in the Tars config: AdminObj is not served');
    }
    const store = await openStatStore(this.#opts.statStore, {
      keyPrefix: `tars-ws:stats:${tars.app}.${tars.server}:`,
      logger: this.logger,
    });
    const reporting = startStatReporting({
      tarsConfig: tars,
      supervisor: this.supervisor,
      store,
      logger: this.logger,
      ...(this.#opts.statMinIntervalMs === undefined ? {} : { minIntervalMs: this.#opts.statMinIntervalMs }),
    });
    this.atStop(async () => {
      await reporting.stop();
      await store.close();
    });
    const port = await this.supervisor.start();
    this.#keepAlive = startKeepAlive({
      tars,
      version: this.#version,
      intervalMs: this.#opts.keepAliveIntervalMs,
      logger: this.logger,
    });
    this.logger.info({ port, workers: this.supervisor.workers }, 'launcher ready');
    return port;
  }

  /** Runs `stop` during {@link stop} (e.g. the statistics reporter's). */
  atStop(stop: () => Promise<void>): this {
    this.#stopHooks.push(stop);
    return this;
  }

  /** Stops the workers (they close clients with 1001), AdminObj and the heartbeat. Safe to call more than once. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.logger.info('launcher stopping');
    await this.supervisor.close();
    for (const hook of this.#stopHooks) {
      await hook().catch((err: unknown) => this.logger.warn({ err }, 'stop hook failed'));
    }
    await this.#keepAlive?.stop();
    await this.#admin?.close(1000);
    this.logger.info('launcher stopped');
    this.logger.flush();
    this.#markStopped();
  }
}
