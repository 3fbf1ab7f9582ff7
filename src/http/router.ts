/**
 * HTTP routing on the gateway's port: exact routes first, then static folders, then `/<Controller>/<action>`
 * (controller and action names match case-insensitively, as PHP class and method names did in the original).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import serveStatic from 'serve-static';
import { ErrorCode, GatewayError } from '../errors.js';
import type { GatewayApi } from '../gateway/api.js';
import type { GatewayObserver } from '../gateway/observer.js';
import type { Logger } from '../logger.js';
import { parseBodyParams, readBody } from './body.js';
import type { ActionResult, ControllerClass, HttpContext } from './controller.js';
import { sendError, sendJson, sendText } from './respond.js';

export type RouteHandler = (ctx: HttpContext) => ActionResult | Promise<ActionResult>;

/** Answers every request under a prefix by itself: it checks the method and reads the body (see `mount`). */
export type MountHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  gateway: GatewayApi,
) => Promise<void>;

interface ControllerEntry {
  cls: ControllerClass;
  /** lower-cased action name -> method name (`pushbyroom` -> `actionPushByRoom`) */
  actions: Map<string, string>;
}

type StaticHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Longest request URL answered; longer ones get 414 (Node itself caps URL + headers at 16 KiB). */
export const MAX_URL_LENGTH = 8192;

/**
 * Headers of every served page and file: scripts, styles and sockets from this origin only (no inline script),
 * never framed (clickjacking), no MIME sniffing, no full URL in the Referer sent to other sites.
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
};

function setPageHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) res.setHeader(name, value);
}

export class HttpRouter {
  readonly #routes = new Map<string, RouteHandler>();
  readonly #controllers = new Map<string, ControllerEntry>();
  readonly #statics: { prefix: string; serve: StaticHandler }[] = [];
  readonly #mounts: { prefix: string; handler: MountHandler }[] = [];
  readonly #gateway: GatewayApi;
  readonly #log: Logger;
  /** Told about every answered request (set by Gateway.observe). */
  observer: GatewayObserver | undefined;

  constructor(gateway: GatewayApi, log: Logger) {
    this.#gateway = gateway;
    this.#log = log;
  }

  /** An exact path, any method. */
  route(path: string, handler: RouteHandler): void {
    this.#routes.set(path, handler);
  }

  controller(name: string, cls: ControllerClass): void {
    const actions = new Map<string, string>();
    for (let proto: object | null = cls.prototype as object; proto && proto !== Object.prototype;) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key.startsWith('action') && key.length > 6 && !actions.has(key.slice(6).toLowerCase())) {
          actions.set(key.slice(6).toLowerCase(), key);
        }
      }
      proto = Object.getPrototypeOf(proto) as object | null;
    }
    this.#controllers.set(name.toLowerCase(), { cls, actions });
  }

  /** Hands `prefix` and every path under `prefix/` to `handler` (after exact routes, before static folders). */
  mount(prefix: string, handler: MountHandler): void {
    this.#mounts.push({ prefix: prefix.replace(/\/+$/, ''), handler });
  }

  /** Serves files of `dir` under `prefix` (e.g. `/clients/`), GET and HEAD only, never outside `dir`. */
  static(prefix: string, dir: string): void {
    const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.#statics.push({
      prefix: p,
      serve: serveStatic(dir, { index: ['index.html'], fallthrough: true, setHeaders: setPageHeaders }),
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const observer = this.observer;
    const debug = this.#log.isLevelEnabled('debug');
    if (observer?.http || debug) {
      const started = performance.now();
      const route = (req.url ?? '/').split('?', 1)[0] ?? '/';
      res.once('finish', () => {
        const ms = performance.now() - started;
        observer?.http?.(route, res.statusCode, ms);
        // The path only: a query string can carry a token or a message.
        if (debug) {
          this.#log.debug(
            { method: req.method, route, status: res.statusCode, ms: Math.round(ms * 10) / 10 },
            'http request',
          );
        }
      });
    }
    if ((req.url ?? '').length > MAX_URL_LENGTH) {
      sendJson(
        res,
        414,
        new GatewayError(
          ErrorCode.UriTooLong,
          `request URL is longer than ${MAX_URL_LENGTH} characters`,
        ).toJSON(),
      );
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway.invalid');
    } catch {
      sendJson(res, 400, new GatewayError(ErrorCode.BadParam, 'malformed request URL').toJSON());
      return;
    }
    const path = url.pathname;
    try {
      const exact = this.#routes.get(path);
      if (exact) return await this.#run(req, res, url, exact);
      for (const m of this.#mounts) {
        if (path === m.prefix || path.startsWith(`${m.prefix}/`))
          return await m.handler(req, res, url, this.#gateway);
      }
      for (const s of this.#statics) {
        if (`${path}/` === s.prefix) {
          // Relative links of the folder's index page resolve only under the trailing slash.
          res.statusCode = 301;
          res.setHeader('location', s.prefix + url.search);
          return sendText(res, 301, `moved to ${s.prefix}`);
        }
        if (path.startsWith(s.prefix) && (await this.#serveStatic(s, req, res, url))) return;
      }
      const m = /^\/([^/]+)\/([^/]+)\/?$/.exec(path);
      const entry = m ? this.#controllers.get((m[1] ?? '').toLowerCase()) : undefined;
      const method = m && entry ? entry.actions.get((m[2] ?? '').toLowerCase()) : undefined;
      if (!entry || !method) throw new GatewayError(ErrorCode.NotFound, `no route for ${path}`);
      await this.#run(req, res, url, (ctx) => {
        const instance = new entry.cls(ctx) as unknown as Record<
          string,
          () => ActionResult | Promise<ActionResult>
        >;
        return instance[method]?.call(instance);
      });
    } catch (err) {
      sendError(res, err, this.#log, path);
    }
  }

  async #run(req: IncomingMessage, res: ServerResponse, url: URL, handler: RouteHandler): Promise<void> {
    const method = req.method ?? 'GET';
    // HEAD is refused on routes and actions: answering it would mean running the action, and actions push.
    if (method !== 'GET' && method !== 'POST' && method !== 'PUT') {
      throw new GatewayError(ErrorCode.MethodNotAllowed, `method ${method} is not allowed`);
    }
    const body =
      method === 'POST' || method === 'PUT'
        ? parseBodyParams(
            req.headers['content-type'],
            await readBody(req, this.#gateway.config.maxHttpBodyBytes),
          )
        : new Map<string, string>();
    const ctx: HttpContext = { req, res, url, body, gateway: this.#gateway };
    const result = await handler(ctx);
    if (res.writableEnded) return;
    if (result === undefined) sendText(res, res.statusCode, '');
    else if (typeof result === 'string') sendText(res, res.statusCode, result);
    else sendJson(res, res.statusCode, result);
  }

  /** Resolves true when the static folder answered, false when the file does not exist there. */
  #serveStatic(
    s: { prefix: string; serve: StaticHandler },
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<boolean> {
    const original = req.url ?? '/';
    // From the parsed URL, whose path is already normalised (`/clients/./a.html` is `/clients/a.html`): the raw
    // URL's length no longer matches it.
    req.url = url.pathname.slice(s.prefix.length - 1) + url.search;
    return new Promise((resolve, reject) => {
      res.once('finish', () => resolve(true));
      s.serve(req, res, (err) => {
        req.url = original;
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve(false);
      });
    });
  }
}
