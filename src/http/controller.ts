/**
 * MVC controllers (the original's `src/controller`): `/<Controller>/<action>` runs `action<Action>()` of the
 * controller registered under that name, one instance per request. An action returns the response body: a string
 * (text/plain), any other value (JSON), or nothing after writing the response itself.
 *
 * @example
 *   class IndexController extends Controller {
 *     actionIndex() { return 'index success!!'; }
 *     async actionPushAll() {
 *       await this.pushToAll(this.required('message')); // push token / loopback, size: checked on the send path
 *       return 'pushBy all success';
 *     }
 *   }
 *   gateway.controller('Index', IndexController);
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, GatewayError } from '../errors.js';
import { checkPushAuth } from '../gateway/access.js';
import type { GatewayApi } from '../gateway/api.js';
import { PushCallers, type PushResult } from '../gateway/push.js';
import type { ConnId } from '../types.js';

/** Everything about one HTTP request a controller may use. */
export interface HttpContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Parameters from the body (JSON object or form), empty for GET. */
  readonly body: ReadonlyMap<string, string>;
  readonly gateway: GatewayApi;
}

export type ActionResult = string | object | undefined | void;

export abstract class Controller {
  protected readonly ctx: HttpContext;

  constructor(ctx: HttpContext) {
    this.ctx = ctx;
  }

  get request(): IncomingMessage {
    return this.ctx.req;
  }
  get response(): ServerResponse {
    return this.ctx.res;
  }
  get gateway(): GatewayApi {
    return this.ctx.gateway;
  }

  /** A parameter from the body, else from the query string. */
  param(name: string): string | undefined {
    return this.ctx.body.get(name) ?? this.ctx.url.searchParams.get(name) ?? undefined;
  }

  /** A parameter that must be present and non-empty; 400 with a JSON body otherwise. */
  required(name: string): string {
    const v = this.param(name);
    if (v === undefined || v === '')
      throw new GatewayError(ErrorCode.MissingField, `parameter "${name}" is required`);
    return v;
  }

  status(code: number): this {
    this.ctx.res.statusCode = code;
    return this;
  }

  header(name: string, value: string | number | readonly string[]): this {
    this.ctx.res.setHeader(name, value);
    return this;
  }

  cookie(name: string, value: string, attributes = 'Path=/; HttpOnly; SameSite=Lax'): this {
    const prev = this.ctx.res.getHeader('set-cookie');
    const list = Array.isArray(prev) ? prev : typeof prev === 'string' ? [prev] : [];
    this.ctx.res.setHeader('set-cookie', [...list, `${name}=${encodeURIComponent(value)}; ${attributes}`]);
    return this;
  }

  /** Writes a raw body and ends the response (the original's `sendRaw`). */
  sendRaw(body: string | Buffer, contentType = 'text/plain; charset=utf-8'): void {
    if (!this.ctx.res.hasHeader('content-type')) this.ctx.res.setHeader('content-type', contentType);
    this.ctx.res.end(body);
  }

  /** Rejects the request (401/403) unless the caller may use the push API (the push methods below check it too). */
  requirePushAuth(): void {
    checkPushAuth(this.ctx.req, this.gateway.config.pushToken);
  }

  /** Pushes to a room for this request: push auth, room name and message size are checked on the send path. */
  pushToRoom(room: unknown, message: unknown): Promise<PushResult> {
    return this.gateway.push.toRoom(PushCallers.http(this.ctx.req), room, message);
  }

  /** Pushes to every connection for this request (checked like {@link pushToRoom}). */
  pushToAll(message: unknown): Promise<void> {
    return this.gateway.push.toAll(PushCallers.http(this.ctx.req), message);
  }

  /** Pushes to one connection for this request (checked like {@link pushToRoom}). */
  pushToConnection(conn: ConnId, message: unknown): Promise<void> {
    return this.gateway.push.toConnection(PushCallers.http(this.ctx.req), conn, message);
  }
}

export type ControllerClass = new (ctx: HttpContext) => Controller;
