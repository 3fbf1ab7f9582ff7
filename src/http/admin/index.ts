/**
 * The admin dashboard at `/admin/`: the page (login, nodes, rooms, connections, charts), its JSON API under
 * `/admin/api/` and the live stream, mounted on a gateway by {@link mountAdmin}. Off unless a password is given;
 * the composition layer (`enableAdmin` in src/platform) chooses the cluster view (one process, workers, Redis).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogLimiter } from '../../logger.js';
import type { RouteHandler } from '../router.js';
import { adminRoutes } from './admin-api.js';
import { AdminAuth } from './admin-auth.js';
import { localAdminCluster, type AdminCluster, type AdminClusterFactory } from './admin-cluster.js';
import { AdminNode, type AdminHost } from './admin-node.js';
import { LoginThrottle } from './login-throttle.js';

export * from './admin-cluster.js';
export { AdminAuth, SESSION_COOKIE, type AdminSession } from './admin-auth.js';
export { AdminNode, type AdminHost } from './admin-node.js';
export { LoginThrottle } from './login-throttle.js';
export { RoomDirectory } from './room-directory.js';

/** What the dashboard needs of a gateway: {@link AdminHost} and a place for its routes and files. */
export interface AdminMountHost extends AdminHost {
  route(path: string, handler: RouteHandler): unknown;
  serveStatic(prefix: string, dir: string): unknown;
}

export interface AdminOptions {
  password: string;
  /** `adminSecret`; empty: `salt` keys the sessions. */
  secret: string;
  /** Random key material shared by the processes of this machine, used when no secret is set. */
  salt: string;
  sessionTtlMs: number;
  loginDelayMs: number;
  /** Starts this node's drain (the gateway's graceful stop, then whatever the process does after it). */
  drain: () => void;
  /** The deployment view; default: this process alone. */
  cluster?: AdminClusterFactory;
}

export interface AdminDashboard {
  readonly node: AdminNode;
  readonly cluster: AdminCluster;
  close(): Promise<void>;
}

/** Folder of the page: next to this file in the sources; tsc does not copy it to dist/, so look back there. */
export const ADMIN_PAGE_DIR =
  [new URL('./page/', import.meta.url), new URL('../../../../src/http/admin/page/', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL('./page/', import.meta.url));

/** uPlot's files as installed (a dependency): served from here, so the page needs no CDN. */
export function uplotDir(): string {
  return dirname(createRequire(import.meta.url).resolve('uplot'));
}

/** Mounts the page under `/admin/`, its files under `/admin/vendor/uplot/` and the API under `/admin/api/`. */
export async function mountAdmin(host: AdminMountHost, options: AdminOptions): Promise<AdminDashboard> {
  const auth = new AdminAuth({
    password: options.password,
    secret: options.secret,
    salt: options.salt,
    ttlMs: options.sessionTtlMs,
  });
  const node = new AdminNode(host, options.drain);
  const audit = host.logger.child({ component: 'admin' });
  const cluster = await (options.cluster ?? localAdminCluster)(node);
  const routes = adminRoutes({
    host,
    auth,
    cluster,
    throttle: new LoginThrottle(options.loginDelayMs),
    audit,
    limited: new LogLimiter(audit),
    ttlMs: options.sessionTtlMs,
  });
  for (const [path, handler] of routes) host.route(path, handler);
  host.serveStatic('/admin/vendor/uplot/', uplotDir());
  host.serveStatic('/admin/', ADMIN_PAGE_DIR);
  return {
    node,
    cluster,
    close: async () => {
      node.close();
      await cluster.close();
    },
  };
}
