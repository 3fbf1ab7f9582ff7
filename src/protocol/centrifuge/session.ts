/**
 * One Centrifugo client: connect first (token or anonymous), then subscribe / unsubscribe / publish / rpc / send /
 * refresh; `{}` pings every `pingIntervalMs`, answered by `{}` pongs. Commands of a frame run in order and their
 * replies go out as one batch. Channels without namespace are rooms; namespaces come with issue 10's config.
 */
import { CentrifugeDisconnect, CentrifugeError, CentrifugeUnsubscribe, GatewayError } from '../../errors.js';
import { validateRoomId } from '../../store/room-store.js';
import type { ControlOp } from '../../broker/broker.js';
import type { RoomId } from '../../types.js';
import type { Session, SessionHost } from '../protocol.js';
import { decodeBatch, encodeBatch, type Command } from './codec.js';
import { TokenError, type ConnectionClaims, type TokenVerifier } from './tokens.js';

/** A command refused with a Centrifugo error code. */
class ReplyError extends Error {
  readonly code: CentrifugeError;
  constructor(code: CentrifugeError, message: string) {
    super(message);
    this.code = code;
  }
}

/** A refusal that ends the connection. */
class Disconnect extends Error {
  readonly code: CentrifugeDisconnect;
  constructor(code: CentrifugeDisconnect, reason: string) {
    super(reason);
    this.code = code;
  }
}

/** Fields that ask for issue 11's features (history, recovery, presence): not available yet. */
const NOT_YET = new Set(['presence', 'presence_stats', 'history']);

export class CentrifugeSession implements Session {
  readonly #host: SessionHost;
  readonly #tokens: TokenVerifier;
  #connected = false;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();
  #pingTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #awaitingPong = false;
  readonly #channels = new Set<RoomId>();

  constructor(host: SessionHost, tokens: TokenVerifier) {
    this.#host = host;
    this.#tokens = tokens;
  }

  frame(text: string): void {
    const commands = decodeBatch(text);
    this.#chain = this.#chain.then(async () => {
      const replies: unknown[] = [];
      for (const cmd of commands) {
        if (this.#closed) return;
        try {
          const reply = await this.#handle(cmd);
          if (reply !== undefined) replies.push(reply);
        } catch (err) {
          if (err instanceof Disconnect) {
            if (replies.length > 0) this.#host.send(encodeBatch(replies));
            this.#disconnect(err.code, err.message);
            return;
          }
          replies.push({ id: cmd?.id, error: toReplyError(err) });
        }
      }
      if (replies.length > 0) this.#host.send(encodeBatch(replies));
    });
  }

  /** Drain: the disconnect push with reconnect allowed, then close code 3001, as Centrifugo does on shutdown. */
  shutdown(): void {
    if (this.#closed) return;
    const disconnect = { code: CentrifugeDisconnect.Shutdown, reason: 'shutdown', reconnect: true };
    this.#host.send(encodeBatch([{ push: { disconnect } }]));
    this.#disconnect(CentrifugeDisconnect.Shutdown, 'shutdown');
  }

  closed(): void {
    this.#closed = true;
    clearTimeout(this.#pingTimer);
    clearTimeout(this.#expiryTimer);
  }

  /** A server API operation on this connection, queued after the commands already received. */
  control(op: ControlOp): void {
    // A failure (a bad channel, the channel limit, the store down) must not break the chain of later frames; the
    // server API already answered its caller, so there is nobody to tell.
    this.#chain = this.#chain.then(() => this.#control(op)).catch(() => undefined);
  }

  async #control(op: ControlOp): Promise<void> {
    if (this.#closed || !this.#connected) return;
    if (op.op === 'disconnect') {
      this.closed();
      this.#host.close(op.code, op.reason);
      return;
    }
    if (op.op === 'refresh') {
      if (op.expired) return this.#disconnect(CentrifugeDisconnect.Expired, 'expired');
      const refresh: Record<string, unknown> = {};
      this.#setExpiry(op.expireAt, refresh);
      this.#host.send(JSON.stringify({ push: { refresh } }));
      return;
    }
    const room = this.#room(op.channel);
    if (op.op === 'subscribe') {
      if (this.#channels.has(room) || !(await this.#host.join(room))) return;
      this.#channels.add(room);
      const subscribe = op.data === undefined ? {} : { data: op.data };
      this.#host.send(JSON.stringify({ push: { channel: room, subscribe } }));
    } else if (this.#channels.delete(room)) {
      await this.#host.leave(room);
      const unsubscribe = { code: CentrifugeUnsubscribe.Server, reason: 'server unsubscribe' };
      this.#host.send(JSON.stringify({ push: { channel: room, unsubscribe } }));
    }
  }

  async #handle(cmd: Command | undefined): Promise<unknown> {
    if (cmd === undefined) throw new Disconnect(CentrifugeDisconnect.BadRequest, 'bad request');
    if (cmd.method === '' && cmd.id === undefined) {
      this.#awaitingPong = false;
      return undefined;
    }
    if (cmd.method === 'send') {
      if (this.#connected) this.#host.message(cmd.params['data']);
      return undefined;
    }
    if (cmd.id === undefined) throw new Disconnect(CentrifugeDisconnect.BadRequest, 'command without id');
    if (cmd.method === 'connect') return { id: cmd.id, connect: await this.#connect(cmd.params) };
    if (!this.#connected) throw new Disconnect(CentrifugeDisconnect.BadRequest, 'connect first');
    switch (cmd.method) {
      case 'subscribe':
        return { id: cmd.id, subscribe: await this.#subscribe(cmd.params) };
      case 'unsubscribe':
        await this.#unsubscribe(cmd.params);
        return { id: cmd.id, unsubscribe: {} };
      case 'publish':
        return { id: cmd.id, publish: await this.#publish(cmd.params) };
      case 'rpc':
        return { id: cmd.id, rpc: await this.#rpc(cmd.params) };
      case 'refresh':
        return { id: cmd.id, refresh: await this.#refresh(cmd.params) };
      default:
        if (NOT_YET.has(cmd.method)) throw new ReplyError(CentrifugeError.NotAvailable, 'not available');
        throw new ReplyError(CentrifugeError.MethodNotFound, 'method not found');
    }
  }

  async #connect(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.#connected) throw new Disconnect(CentrifugeDisconnect.BadRequest, 'already connected');
    const token = typeof p['token'] === 'string' ? p['token'] : '';
    const { settings } = this.#host;
    let exp = 0;
    let user = '';
    let channels: string[] = [];
    if (token === '') {
      const anonymous =
        settings.allowAnonymousConnect === 'auto'
          ? !this.#tokens.configured
          : settings.allowAnonymousConnect === 'true';
      if (!anonymous) throw new Disconnect(CentrifugeDisconnect.PermissionDenied, 'permission denied');
    } else {
      const claims = await this.#verify(token);
      exp = claims.exp;
      user = claims.user;
      channels = claims.channels;
    }
    this.#connected = true;
    this.#host.connected(user);
    const reply: Record<string, unknown> = {
      client: String(this.#host.connId),
      version: '0.0.0 tars-ws',
      ping: Math.round(settings.pingIntervalMs / 1000),
      pong: true,
    };
    const subs: Record<string, unknown> = {};
    for (const ch of channels) {
      const room = this.#room(ch);
      if (await this.#host.join(room)) this.#channels.add(room);
      subs[room] = {};
    }
    if (channels.length > 0) reply['subs'] = subs;
    this.#setExpiry(exp, reply);
    this.#schedulePing();
    return reply;
  }

  async #refresh(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    const token = typeof p['token'] === 'string' ? p['token'] : '';
    if (token === '') throw new ReplyError(CentrifugeError.BadRequest, 'token required');
    const claims = await this.#verify(token);
    const reply: Record<string, unknown> = { client: String(this.#host.connId), version: '0.0.0 tars-ws' };
    this.#setExpiry(claims.exp, reply);
    return reply;
  }

  async #verify(token: string): Promise<ConnectionClaims> {
    try {
      return await this.#tokens.connectionClaims(token);
    } catch (err) {
      if (err instanceof TokenError && err.expired)
        throw new ReplyError(CentrifugeError.TokenExpired, 'token expired');
      throw new Disconnect(CentrifugeDisconnect.InvalidToken, 'invalid token');
    }
  }

  #setExpiry(exp: number, reply: Record<string, unknown>): void {
    clearTimeout(this.#expiryTimer);
    if (exp === 0) return;
    const ttl = Math.max(0, exp - Math.floor(Date.now() / 1000));
    reply['expires'] = true;
    reply['ttl'] = ttl;
    this.#expiryTimer = setTimeout(
      () => this.#disconnect(CentrifugeDisconnect.Expired, 'expired'),
      ttl * 1000 + 1000,
    );
    this.#expiryTimer.unref();
  }

  async #subscribe(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    const room = this.#room(p['channel']);
    if (p['recover'] === true) throw new ReplyError(CentrifugeError.NotAvailable, 'recovery not available');
    if (this.#channels.has(room))
      throw new ReplyError(CentrifugeError.AlreadySubscribed, 'already subscribed');
    try {
      await this.#host.join(room);
    } catch (err) {
      if (err instanceof GatewayError && this.#channels.size > 0)
        throw new ReplyError(CentrifugeError.LimitExceeded, err.message);
      throw err;
    }
    this.#channels.add(room);
    return {};
  }

  async #unsubscribe(p: Record<string, unknown>): Promise<void> {
    const room = this.#room(p['channel']);
    this.#channels.delete(room);
    await this.#host.leave(room);
  }

  async #publish(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    const room = this.#room(p['channel']);
    if (!this.#channels.has(room))
      throw new ReplyError(CentrifugeError.PermissionDenied, 'permission denied');
    const data = p['data'];
    if (data === undefined) throw new ReplyError(CentrifugeError.BadRequest, 'data required');
    // A string reaches text clients as itself; any other value as its JSON text, flagged so SDK clients get it back.
    if (typeof data === 'string') await this.#host.publish(room, data);
    else await this.#host.publish(room, JSON.stringify(data), { json: true });
    return {};
  }

  async #rpc(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    const method = typeof p['method'] === 'string' ? p['method'] : '';
    const data = await this.#host.rpc(method, p['data']);
    return data === undefined ? {} : { data };
  }

  #room(channel: unknown): RoomId {
    if (typeof channel === 'string' && channel.includes(':'))
      throw new ReplyError(CentrifugeError.UnknownChannel, 'unknown channel');
    try {
      return validateRoomId(channel, this.#host.settings.maxChannelLength);
    } catch (err) {
      throw new ReplyError(CentrifugeError.BadRequest, (err as Error).message);
    }
  }

  #schedulePing(): void {
    const every = this.#host.settings.pingIntervalMs;
    this.#pingTimer = setTimeout(() => {
      if (this.#closed) return;
      if (this.#awaitingPong) return this.#disconnect(CentrifugeDisconnect.NoPong, 'no pong');
      this.#awaitingPong = true;
      this.#host.send('{}');
      this.#schedulePing();
    }, every);
    this.#pingTimer.unref();
  }

  #disconnect(code: CentrifugeDisconnect, reason: string): void {
    this.closed();
    this.#host.close(code, reason);
  }
}

function toReplyError(err: unknown): { code: number; message: string } {
  if (err instanceof ReplyError) return { code: err.code, message: err.message };
  if (err instanceof GatewayError && err.code === 'NOT_FOUND')
    return { code: CentrifugeError.MethodNotFound, message: 'method not found' };
  return { code: CentrifugeError.Internal, message: 'internal server error' };
}
