/**
 * The JSON admin API under `/admin/api/` that backs the dashboard page: login and logout, nodes, rooms (search and
 * pages), connections and their detail, the actions (push to a room, disconnect a connection, drain a node) and a
 * live stream of node snapshots (Server-Sent Events, `/admin/api/events`, one event a second).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, GatewayError } from '../../errors.js';
import { PushCallers } from '../../gateway/push.js';
import type { LogLimiter, Logger } from '../../logger.js';
import { processOfConn, type ConnId } from '../../types.js';
import type { ActionResult, HttpContext } from '../controller.js';
import type { RouteHandler } from '../router.js';
import { AdminAuth, type AdminSession } from './admin-auth.js';
import type { AdminCluster } from './admin-cluster.js';
import { refuseCrossSite, requireMethod, requireSession } from './admin-guard.js';
import type { AdminHost } from './admin-node.js';
import { LoginThrottle } from './login-throttle.js';
import { RoomDirectory } from './room-directory.js';

/** Live streams open at once per process; more get 503 (each costs a snapshot read a second). */
export const MAX_EVENT_STREAMS = 32;
/** Period of the live stream's events. */
export const EVENT_EVERY_MS = 1000;

export interface AdminApiDeps {
  host: AdminHost;
  auth: AdminAuth;
  cluster: AdminCluster;
  throttle: LoginThrottle;
  /** The operators' actions, one line each: they are authenticated, so never rate-limited. */
  audit: Logger;
  /** Lines about failed logins, which anyone can cause: rate-limited per address. */
  limited: LogLimiter;
  ttlMs: number;
}

/** The routes of the admin API, path -> handler, for the gateway's router. */
export function adminRoutes(deps: AdminApiDeps): Map<string, RouteHandler> {
  const { host, auth, cluster } = deps;
  const rooms = new RoomDirectory(host.store);
  const streams = new Set<ServerResponse>();
  const routes = new Map<string, RouteHandler>();
  const api = (
    path: string,
    method: 'GET' | 'POST',
    handler: (ctx: HttpContext, session: AdminSession) => unknown,
  ): void => {
    routes.set(`/admin/api/${path}`, (ctx) => {
      ctx.res.setHeader('cache-control', 'no-store');
      requireMethod(ctx.req, method);
      // The results are JSON values (cluster answers are typed `unknown` as they crossed a bus).
      return handler(ctx, requireSession(auth, ctx.req)) as ActionResult | Promise<ActionResult>;
    });
  };

  routes.set('/admin/api/login', (ctx) => login(deps, ctx));
  routes.set('/admin/api/session', ({ req, res }) => {
    res.setHeader('cache-control', 'no-store');
    const session = auth.verify(req.headers.cookie);
    return session
      ? { authenticated: true, csrf: session.csrf, expiresAt: session.expiresAt, node: host.nodeId }
      : { authenticated: false };
  });
  api('logout', 'POST', ({ req, res }) => {
    res.setHeader('set-cookie', AdminAuth.cookieHeader('', 0, isSecure(req)));
    return { authenticated: false };
  });
  api('nodes', 'GET', async () => ({ nodes: await cluster.nodes() }));
  api('rooms', 'GET', ({ url }) =>
    rooms.page(url.searchParams.get('search') ?? '', intParam(url, 'offset', 0), intParam(url, 'limit', 50)),
  );
  api('room', 'GET', async ({ url }) => {
    const room = host.checkRoom(url.searchParams.get('room') ?? undefined);
    const members = await host.members(room);
    return { room, count: members.length, members: members.slice(0, 1000) };
  });
  api('connections', 'GET', ({ url }) =>
    cluster.run(intParam(url, 'node', host.processIndex), {
      op: 'connections',
      offset: intParam(url, 'offset', 0),
      limit: intParam(url, 'limit', 100),
    }),
  );
  api('connection', 'GET', ({ url }) => {
    const id = connParam(url.searchParams.get('id'));
    return cluster.run(processOfConn(id), { op: 'connection', id });
  });
  api('push', 'POST', async ({ req, body }) => {
    const room = body.get('room');
    await host.push.toRoom(PushCallers.admin(req.socket.remoteAddress ?? ''), room, body.get('message'));
    deps.audit.info({ room, address: req.socket.remoteAddress }, 'admin: pushed to a room');
    return { pushed: true, room };
  });
  api('disconnect', 'POST', async ({ req, body }) => {
    const id = connParam(body.get('id'));
    const result = await cluster.run(processOfConn(id), { op: 'disconnect', id });
    deps.audit.info({ conn: id, address: req.socket.remoteAddress }, 'admin: disconnected a connection');
    return result;
  });
  api('drain', 'POST', async ({ req, body }) => {
    const node = Number(body.get('node') ?? host.processIndex);
    if (!Number.isSafeInteger(node) || node < 0) throw new GatewayError(ErrorCode.BadParam, 'bad node');
    const result = await cluster.run(node, { op: 'drain' });
    deps.audit.info({ node, address: req.socket.remoteAddress }, 'admin: drain requested');
    return result;
  });
  api('events', 'GET', ({ req, res }, session) => {
    if (streams.size >= MAX_EVENT_STREAMS) {
      throw new GatewayError(ErrorCode.Unavailable, `at most ${MAX_EVENT_STREAMS} live views at once`);
    }
    return eventStream(req, res, session, cluster, streams);
  });
  return routes;
}

async function login(deps: AdminApiDeps, { req, res, body }: HttpContext): Promise<object> {
  res.setHeader('cache-control', 'no-store');
  requireMethod(req, 'POST');
  // A page of another site must not sign a visitor in (login CSRF) nor probe passwords through them.
  refuseCrossSite(req);
  const address = req.socket.remoteAddress ?? '';
  const locked = deps.throttle.lockedFor(address);
  if (locked > 0) {
    res.setHeader('retry-after', Math.ceil(locked / 1000));
    throw new GatewayError(ErrorCode.TooManyRequests, 'too many failed logins from this address; wait');
  }
  if (!deps.auth.checkPassword(body.get('password') ?? '')) {
    const delay = deps.throttle.failed(address);
    deps.limited.warn(address, { address }, 'admin: wrong password');
    await new Promise((resolve) => setTimeout(resolve, delay));
    throw new GatewayError(ErrorCode.Unauthorized, 'wrong password');
  }
  deps.throttle.succeeded(address);
  const { session, cookie } = deps.auth.issue();
  res.setHeader('set-cookie', AdminAuth.cookieHeader(cookie, deps.ttlMs, isSecure(req)));
  deps.audit.info({ address }, 'admin: signed in');
  return { authenticated: true, csrf: session.csrf, expiresAt: session.expiresAt, node: deps.host.nodeId };
}

/** Streams `nodes` events until the client goes, the session expires or the server drains. */
function eventStream(
  req: IncomingMessage,
  res: ServerResponse,
  session: AdminSession,
  cluster: AdminCluster,
  streams: Set<ServerResponse>,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  streams.add(res);
  let busy = false;
  const tick = (): void => {
    if (session.expiresAt <= Date.now()) return void res.end('event: expired\ndata: {}\n\n');
    // A slow cluster read must not pile up reads, nor a client that does not read pile up events.
    if (busy || res.writableNeedDrain) return;
    busy = true;
    cluster.nodes().then(
      (nodes) => {
        busy = false;
        if (!res.writableEnded)
          res.write(`event: nodes\ndata: ${JSON.stringify({ at: Date.now(), nodes })}\n\n`);
      },
      () => (busy = false),
    );
  };
  tick();
  const timer = setInterval(tick, EVENT_EVERY_MS);
  return new Promise((resolve) => {
    const done = (): void => {
      clearInterval(timer);
      streams.delete(res);
      resolve();
    };
    req.socket.once('close', done);
    res.once('finish', done);
  });
}

function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new GatewayError(ErrorCode.BadParam, `${name} must be an integer >= 0`);
  return n;
}

function connParam(raw: string | null | undefined): ConnId {
  const id = Number(raw ?? '');
  if (raw === undefined || raw === null || raw === '' || !Number.isSafeInteger(id) || id <= 0) {
    throw new GatewayError(ErrorCode.BadParam, 'id must be a connection id');
  }
  return id;
}

/** Behind TLS (or a proxy that says so) the cookie is marked Secure. */
function isSecure(req: IncomingMessage): boolean {
  return (
    (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https'
  );
}
