/**
 * The methods of the server API (Centrifugo's HTTP API): each takes the request object of its Centrifugo method
 * and returns the result object, or throws an {@link ApiError} with a Centrifugo error code. Pushes and control
 * operations go through the PushService as an `api` caller, so they reach every process like any push.
 */
import type { ControlOp, PublicationMeta } from '../broker/broker.js';
import { CentrifugeDisconnect, CentrifugeError, ErrorCode, GatewayError } from '../errors.js';
import type { GatewayApi, HistoryQuery } from '../gateway/api.js';
import type { PublishOptions, PushCaller } from '../gateway/push.js';
import { LogLimiter } from '../logger.js';
import { globToRegExp } from './channel-glob.js';
import type { RoomId } from '../types.js';

/** A refusal with a Centrifugo error code, answered as `{"error": {"code", "message"}}` with HTTP 200. */
export class ApiError extends Error {
  readonly code: CentrifugeError;
  constructor(code: CentrifugeError, message: string) {
    super(message);
    this.code = code;
  }
}

/** What a method runs with: the gateway and who called (an `api` caller, checked again by the PushService). */
export interface ApiContext {
  readonly gateway: GatewayApi;
  readonly caller: PushCaller;
}

type Params = Record<string, unknown>;
type Method = (ctx: ApiContext, p: Params) => Promise<unknown>;

/** Longest close reason a WebSocket close frame carries (RFC 6455: 125 bytes less the 2 of the code). */
const MAX_REASON_BYTES = 123;

const badRequest = (message: string): ApiError => new ApiError(CentrifugeError.BadRequest, message);
const notAvailable = (): ApiError => new ApiError(CentrifugeError.NotAvailable, 'not available');

function channelOf(ctx: ApiContext, p: Params, field = 'channel'): RoomId {
  if (p[field] === undefined || p[field] === '') throw badRequest(`${field} required`);
  return ctx.gateway.checkRoom(p[field]);
}

function stringOf(p: Params, field: string, required = false): string | undefined {
  const v = p[field];
  if (v === undefined || v === null) {
    if (required) throw badRequest(`${field} required`);
    return undefined;
  }
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  return v;
}

function intOf(p: Params, field: string): number | undefined {
  const v = p[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw badRequest(`${field} must be a non-negative integer`);
  return v;
}

/** The message text of `data` (or `b64data`) and whether it is JSON text: strings go as text, other values as JSON. */
function payloadOf(p: Params): { message: string; json: boolean } {
  const b64 = stringOf(p, 'b64data');
  if (b64 !== undefined && b64 !== '') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw badRequest('b64data is not base64');
    // Frames are text: the decoded bytes go as UTF-8 text (a binary payload needs the protobuf format).
    return { message: Buffer.from(b64, 'base64').toString('utf8'), json: false };
  }
  if (!('data' in p)) throw badRequest('data required');
  const data = p['data'];
  return typeof data === 'string'
    ? { message: data, json: false }
    : { message: JSON.stringify(data), json: true };
}

function tagsOf(p: Params): Record<string, string> | undefined {
  const tags = p['tags'];
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== 'object' || Array.isArray(tags)) throw badRequest('tags must be an object of strings');
  const entries = Object.entries(tags);
  if (entries.some(([, v]) => typeof v !== 'string')) throw badRequest('tags must be an object of strings');
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as Record<string, string>);
}

/** Publishes to one room; the result is Centrifugo's `PublishResult`: the history position when the room keeps one. */
async function publishTo(
  ctx: ApiContext,
  room: RoomId,
  payload: { message: string; json: boolean },
  tags: Record<string, string> | undefined,
  p: Params = {},
): Promise<{ offset?: number; epoch?: string }> {
  const pub: PublicationMeta = {};
  if (payload.json) pub.json = true;
  if (tags) pub.tags = tags;
  const options: PublishOptions = {};
  if (p['skip_history'] === true) options.skipHistory = true;
  const key = stringOf(p, 'idempotency_key');
  if (key) options.idempotencyKey = key;
  const at = await ctx.gateway.push.toRoom(
    ctx.caller,
    room,
    payload.message,
    pub.json || pub.tags ? pub : undefined,
    options,
  );
  return at.offset === undefined ? {} : { offset: at.offset, epoch: at.epoch };
}

/** Sends a control operation to the sessions of `user` on every process. */
async function control(ctx: ApiContext, p: Params, op: ControlOp, whitelist?: string[]): Promise<object> {
  const user = stringOf(p, 'user', true) ?? '';
  // tars-ws sessions have no id of their own: `session` names a connection like `client`.
  const client = stringOf(p, 'client') || stringOf(p, 'session');
  await ctx.gateway.push.control(ctx.caller, {
    kind: 'control',
    user,
    ...(client ? { client } : {}),
    ...(whitelist && whitelist.length > 0 ? { whitelist } : {}),
    op,
  });
  return {};
}

const METHODS: Record<string, Method> = {
  async publish(ctx, p) {
    return publishTo(ctx, channelOf(ctx, p), payloadOf(p), tagsOf(p), p);
  },

  async broadcast(ctx, p) {
    const channels = p['channels'];
    if (!Array.isArray(channels) || channels.length === 0) throw badRequest('channels required');
    const payload = payloadOf(p);
    const tags = tagsOf(p);
    const responses = await Promise.all(
      channels.map((ch) =>
        reply(() => publishTo(ctx, channelOf(ctx, { channel: ch }), payload, tags), ctx.gateway),
      ),
    );
    return { responses };
  },

  async subscribe(ctx, p) {
    const channel = channelOf(ctx, p);
    const op: ControlOp = { op: 'subscribe', channel };
    if (p['data'] !== undefined) op.data = p['data'];
    // info, b64info, expire_at, recover_since and override are accepted and not used yet (a server-side subscribe joins with the channel options).
    return control(ctx, p, op);
  },

  async unsubscribe(ctx, p) {
    return control(ctx, p, { op: 'unsubscribe', channel: channelOf(ctx, p) });
  },

  async disconnect(ctx, p) {
    let code: number = CentrifugeDisconnect.ForceNoReconnect;
    let reason = 'force disconnect';
    const custom = p['disconnect'];
    if (custom !== undefined && custom !== null) {
      if (typeof custom !== 'object') throw badRequest('disconnect must be an object');
      const d = custom as Params;
      const c = d['code'];
      // Close codes a server may send: 3000-4999 (RFC 6455 registered and private ranges).
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 3000 || c > 4999)
        throw badRequest('disconnect.code must be an integer from 3000 to 4999');
      code = c;
      reason = stringOf(d, 'reason') ?? '';
      if (Buffer.byteLength(reason) > MAX_REASON_BYTES)
        throw badRequest(`disconnect.reason is longer than ${MAX_REASON_BYTES} bytes`);
    }
    const whitelist = p['whitelist'];
    if (
      whitelist !== undefined &&
      !(Array.isArray(whitelist) && whitelist.every((w) => typeof w === 'string'))
    )
      throw badRequest('whitelist must be an array of client ids');
    return control(ctx, p, { op: 'disconnect', code, reason }, whitelist);
  },

  async refresh(ctx, p) {
    const expired = p['expired'] ?? false;
    if (typeof expired !== 'boolean') throw badRequest('expired must be a boolean');
    return control(ctx, p, { op: 'refresh', expired, expireAt: intOf(p, 'expire_at') ?? 0 });
  },

  async presence(ctx, p) {
    const channel = channelOf(ctx, p);
    if (!ctx.gateway.presence) throw notAvailable();
    return { presence: await ctx.gateway.presence(channel) };
  },

  async presence_stats(ctx, p) {
    const channel = channelOf(ctx, p);
    if (!ctx.gateway.presenceStats) throw notAvailable();
    const { numClients, numUsers } = await ctx.gateway.presenceStats(channel);
    return { num_clients: numClients, num_users: numUsers };
  },

  async history(ctx, p) {
    const channel = channelOf(ctx, p);
    if (!ctx.gateway.history) throw notAvailable();
    const query: HistoryQuery = {};
    const limit = intOf(p, 'limit');
    if (limit !== undefined) query.limit = limit;
    if (p['reverse'] === true) query.reverse = true;
    const since = p['since'];
    if (since !== undefined && since !== null) {
      const s = since as Params;
      if (typeof since !== 'object' || typeof s['epoch'] !== 'string')
        throw badRequest('since must be {offset, epoch}');
      query.since = { offset: intOf(s, 'offset') ?? 0, epoch: s['epoch'] };
    }
    return ctx.gateway.history(channel, query);
  },

  async history_remove(ctx, p) {
    const channel = channelOf(ctx, p);
    if (!ctx.gateway.removeHistory) throw notAvailable();
    await ctx.gateway.removeHistory(channel);
    return {};
  },

  async channels(ctx, p) {
    const pattern = stringOf(p, 'pattern');
    let match: RegExp | undefined;
    try {
      match = pattern ? globToRegExp(pattern) : undefined;
    } catch {
      throw badRequest('bad channels pattern');
    }
    const store = ctx.gateway.store;
    const rooms = (await store.rooms()).filter((r) => !match || match.test(r));
    const counts = await Promise.all(rooms.map((r) => store.count(r)));
    const channels: Record<string, { num_clients: number }> = {};
    rooms.forEach((r, i) => {
      if ((counts[i] ?? 0) > 0) channels[r] = { num_clients: counts[i] ?? 0 };
    });
    return { channels };
  },

  async info(ctx) {
    const g = ctx.gateway;
    // This process only: nodes do not exchange their counters (yet); a cluster answers from the worker asked.
    return {
      nodes: [
        {
          uid: g.nodeId,
          name: g.nodeId,
          version: 'tars-ws',
          num_clients: g.connectionCount,
          num_users: g.userCount,
          num_channels: g.localRoomCount,
          uptime: Math.floor((Date.now() - g.startedAt) / 1000),
        },
      ],
    };
  },
};

/** Whether `name` is a server API method (batch included). */
export function isApiMethod(name: string): boolean {
  return name === 'batch' || Object.hasOwn(METHODS, name);
}

/** A method's result or error, as a Centrifugo response object: `{result}` or `{error: {code, message}}`. */
async function reply(run: () => Promise<unknown>, gateway: GatewayApi): Promise<object> {
  try {
    return { result: await run() };
  } catch (err) {
    return { error: toApiError(err, gateway) };
  }
}

/** Runs one method (not batch); unknown methods answer 104 "not found", as in a Centrifugo batch. */
export function runMethod(ctx: ApiContext, name: string, params: Params): Promise<object> {
  const method = Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
  if (!method)
    return Promise.resolve({ error: { code: CentrifugeError.MethodNotFound, message: 'not found' } });
  return reply(() => method(ctx, params), ctx.gateway);
}

/** How many commands of a parallel batch run at once: bounded, so one request cannot start thousands. */
const BATCH_CONCURRENCY = 32;

/**
 * `batch`: `{commands: [{<method>: {...}}, ...], parallel?}` -> `{replies: [{<method>: result} | {error}]}`, in
 * the order of the commands; sequential unless `parallel` is true.
 */
export async function runBatch(ctx: ApiContext, p: Params): Promise<object> {
  const commands = p['commands'];
  if (!Array.isArray(commands)) throw badRequest('commands required');
  const replies: object[] = new Array<object>(commands.length);
  const runOne = async (i: number): Promise<void> => {
    const cmd: unknown = commands[i];
    const entries = typeof cmd === 'object' && cmd !== null ? Object.entries(cmd) : [];
    const [name, params] = entries.find(([, v]) => typeof v === 'object' && v !== null) ?? ['', undefined];
    const r = (await runMethod(ctx, name, (params ?? {}) as Params)) as { result?: unknown; error?: unknown };
    replies[i] = r.error === undefined ? { [name]: r.result } : { error: r.error };
  };
  if (p['parallel'] === true) {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < commands.length) await runOne(next++);
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, commands.length) }, worker));
  } else {
    for (let i = 0; i < commands.length; i++) await runOne(i);
  }
  return { replies };
}

const limiters = new WeakMap<GatewayApi, LogLimiter>();

/** Maps what a method threw to a Centrifugo error; unexpected ones are logged and hidden. */
function toApiError(err: unknown, gateway: GatewayApi): { code: number; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  if (err instanceof GatewayError) {
    switch (err.code) {
      case ErrorCode.BadRoom:
      case ErrorCode.BadParam:
      case ErrorCode.BadPayload:
      case ErrorCode.MissingField:
        return { code: CentrifugeError.BadRequest, message: err.message };
      case ErrorCode.Unauthorized:
      case ErrorCode.Forbidden:
        return { code: CentrifugeError.PermissionDenied, message: err.message };
      case ErrorCode.NotFound:
        return { code: CentrifugeError.NotAvailable, message: 'not available' };
      default:
        break;
    }
  }
  let log = limiters.get(gateway);
  if (!log) limiters.set(gateway, (log = new LogLimiter(gateway.logger)));
  // A broker or store outage fails every call: one line per interval, not one per call.
  log.warn('server-api', { err }, 'server API method failed');
  return { code: CentrifugeError.Internal, message: 'internal server error' };
}
