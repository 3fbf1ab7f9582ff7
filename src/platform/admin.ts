/**
 * Composition of the admin dashboard: mounts it on a gateway when `adminPassword` is set, with the deployment view
 * the configuration implies: Redis (every node of every machine publishes its snapshot there and takes commands
 * over pub/sub) when the broker or the store is Redis; the cluster primary when this is a worker on the local
 * broker; this process alone otherwise.
 */
import { randomBytes } from 'node:crypto';
import {
  ADMIN_NODES,
  ADMIN_RUN,
  ADMIN_SNAPSHOT,
  IpcAdminCluster,
  type AdminRunReply,
} from '../cluster/admin-cluster-ipc.js';
import { isClusterWorker } from '../cluster/worker.js';
import type { Gateway } from '../gateway/gateway.js';
import { mountAdmin, type AdminClusterFactory, type AdminDashboard } from '../http/admin/index.js';
import type { Supervisor } from './supervisor.js';

/** Environment variable through which a cluster primary gives its workers one salt (so sessions hold on all). */
export const ENV_ADMIN_SALT = 'TARS_WS_ADMIN_SALT';

export interface EnableAdminOptions {
  /** After the gateway's drain that the admin action started: e.g. exit the process. Default: nothing. */
  afterDrain?: () => void;
  /** The deployment view; default chosen from the config (see the module comment). */
  cluster?: AdminClusterFactory;
}

/** Sets the machine's admin salt for the workers forked after it (call in the cluster primary). */
export function shareAdminSalt(): void {
  process.env[ENV_ADMIN_SALT] ??= randomBytes(32).toString('base64url');
}

/** Mounts the dashboard when `config.adminPassword` is set; resolves undefined otherwise (then `/admin/` is 404). */
export async function enableAdmin(
  gateway: Gateway,
  options: EnableAdminOptions = {},
): Promise<AdminDashboard | undefined> {
  const { config } = gateway;
  if (config.adminPassword === '') return undefined;
  shareAdminSalt();
  const dashboard = await mountAdmin(gateway, {
    password: config.adminPassword,
    secret: config.adminSecret,
    salt: process.env[ENV_ADMIN_SALT] ?? '',
    sessionTtlMs: config.adminSessionTtlMs,
    loginDelayMs: config.adminLoginDelayMs,
    drain: () => {
      gateway.logger.info('drain requested from the admin dashboard');
      gateway.close().then(options.afterDrain, (err: unknown) => {
        gateway.logger.error({ err }, 'drain failed');
      });
    },
    cluster: options.cluster ?? (await defaultCluster(gateway)),
  });
  gateway.atShutdown(() => dashboard.close());
  if (config.adminSecret === '' && (config.broker !== 'local' || config.roomStore === 'redis')) {
    gateway.logger.warn(
      'adminSecret is not set: an admin session holds on the node that signed it in only; set ADMIN_SECRET on every node',
    );
  }
  return dashboard;
}

async function defaultCluster(gateway: Gateway): Promise<AdminClusterFactory | undefined> {
  const { config } = gateway;
  if (config.broker === 'redis' || config.roomStore === 'redis') {
    const { RedisAdminCluster } = await import('../redis/index.js');
    return (local) =>
      RedisAdminCluster.open({
        url: config.redisUrl,
        keyPrefix: config.redisKeyPrefix,
        local,
        logger: gateway.logger.child({ component: 'admin-redis' }),
      });
  }
  if (isClusterWorker() && config.broker === 'local') {
    return (local) => new IpcAdminCluster(local);
  }
  return undefined;
}

/** The primary's side of {@link IpcAdminCluster}: gathers snapshots and routes commands between its workers. */
export function serveClusterAdmin(supervisor: Supervisor): void {
  supervisor.answer(ADMIN_NODES, async () => {
    const replies = await supervisor.control(ADMIN_SNAPSHOT, undefined, 2000);
    return replies.filter((r) => r.ok).map((r) => r.value);
  });
  supervisor.answer(ADMIN_RUN, async (_worker, payload) => {
    const replies = await supervisor.control(ADMIN_RUN, payload, 3000);
    const handled = replies.find((r) => r.ok && (r.value as AdminRunReply | undefined)?.handled === true);
    return handled?.value ?? ({ handled: false } satisfies AdminRunReply);
  });
}
