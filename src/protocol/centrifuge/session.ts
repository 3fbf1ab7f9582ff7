/**
 * One Centrifugo client: connect first (token or anonymous), then subscribe / unsubscribe / publish / rpc / send /
 * refresh / sub_refresh; `{}` pings every `pingIntervalMs`, answered by `{}` pongs. Commands of a frame run in order
 * and their replies go out as one batch. Commands pass a token bucket (111 past it) and errors another (3509).
 */
import type { ControlOp } from '../../broker/broker.js';
import { CentrifugeDisconnect, CentrifugeError } from '../../errors.js';
import type { Session, SessionHost } from '../protocol.js';
import { decodeBatch, encodeBatch, type Command } from './codec.js';
import { Disconnect, ReplyError, toReplyError } from './replies.js';
import {
  checkDataLength,
  closeDelayMs,
  expiryFields,
  Subscriptions,
  type ConnectionIdentity,
} from './subscriptions.js';
import { TokenBucket } from './token-bucket.js';
import { TokenError, type ConnectionClaims, type TokenVerifier } from './tokens.js';

const VERSION = '0.0.0 tars-ws';

export class CentrifugeSession implements Session {
  readonly #host: SessionHost;
  readonly #tokens: TokenVerifier;
  readonly #subs: Subscriptions;
  readonly #commands: TokenBucket | undefined;
  readonly #errors: TokenBucket | undefined;
  #connected = false;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();
  #pingTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #awaitingPong = false;
  #who: ConnectionIdentity = { user: '', info: undefined };
  /** What to do once the replies of the frame being handled are sent (release held pushes). */
  #afterReply: (() => void)[] = [];
  /** The token's `meta`: server-side data about the connection, never sent to clients. */
  #meta: unknown;

  constructor(host: SessionHost, tokens: TokenVerifier) {
    this.#host = host;
    this.#tokens = tokens;
    this.#subs = new Subscriptions(
      host,
      tokens,
      () => this.#who,
      (code, reason) => this.#disconnect(code, reason),
      (afterReply) => this.#afterReply.push(afterReply),
    );
    const s = host.settings;
    this.#commands = s.commandRate > 0 ? new TokenBucket(s.commandRate, s.commandBurst) : undefined;
    this.#errors = s.errorBurst > 0 ? new TokenBucket(s.errorRate, s.errorBurst) : undefined;
  }

  /** Server-side data from the connection token's `meta` claim. */
  get meta(): unknown {
    return this.#meta;
  }

  frame(text: string): void {
    const commands = decodeBatch(text);
    // Counted on arrival, not when handled: a flood is refused at the rate it comes in.
    const limited = commands.map((cmd) => this.#rateLimited(cmd));
    this.#chain = this.#chain.then(async () => {
      const replies: unknown[] = [];
      for (const [i, cmd] of commands.entries()) {
        if (this.#closed) return;
        try {
          if (limited[i] === true) {
            if (cmd?.id === undefined) continue;
            throw new ReplyError(CentrifugeError.TooManyRequests, 'too many requests');
          }
          const reply = await this.#handle(cmd);
          if (reply !== undefined) replies.push(reply);
        } catch (err) {
          if (err instanceof Disconnect) return this.#flushAndClose(replies, err);
          const error = toReplyError(err);
          replies.push({ id: cmd?.id, error });
          if (error.code !== CentrifugeError.Internal && this.#errors?.take() === false)
            return this.#flushAndClose(
              replies,
              new Disconnect(CentrifugeDisconnect.TooManyErrors, 'too many errors'),
            );
        }
      }
      if (replies.length > 0) this.#host.send(encodeBatch(replies));
      this.#runAfterReply();
    });
  }

  #runAfterReply(): void {
    if (this.#afterReply.length === 0) return;
    const after = this.#afterReply;
    this.#afterReply = [];
    for (const fn of after) fn();
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
    this.#subs.closed();
  }

  /** Pongs and connect are never limited (Centrifugo does not throttle connect per connection). */
  #rateLimited(cmd: Command | undefined): boolean {
    if (this.#commands === undefined || cmd === undefined) return false;
    if (cmd.method === '' || cmd.method === 'connect') return false;
    return !this.#commands.take();
  }

  #flushAndClose(replies: unknown[], err: Disconnect): void {
    if (replies.length > 0) this.#host.send(encodeBatch(replies));
    this.#runAfterReply();
    this.#disconnect(err.code, err.message);
  }

  /** A server API operation on this connection, queued after the commands already received. */
  control(op: ControlOp): void {
    // A failure (a bad channel, the channel limit, the store down) must not break the chain of later frames; the
    // server API already answered its caller, so there is nobody to tell.
    this.#chain = this.#chain.then(() => this.#control(op)).catch(() => undefined);
  }

  async #control(op: ControlOp): Promise<void> {
    if (this.#closed || !this.#connected) return;
    if (op.op === 'disconnect') return this.#disconnect(op.code, op.reason);
    if (op.op === 'refresh') {
      const past = op.expireAt !== 0 && op.expireAt <= Math.floor(Date.now() / 1000);
      if (op.expired || past) return this.#disconnect(CentrifugeDisconnect.Expired, 'connection expired');
      this.#watchExpiry(op.expireAt);
      this.#host.send(JSON.stringify({ push: { refresh: expiryFields(op.expireAt) } }));
      return;
    }
    if (op.op === 'subscribe') await this.#subs.serverSubscribe(op.channel, op.data);
    else await this.#subs.serverUnsubscribe(op.channel);
  }

  async #handle(cmd: Command | undefined): Promise<unknown> {
    if (cmd === undefined) throw new Disconnect(CentrifugeDisconnect.BadRequest, 'bad request');
    if (cmd.method === '' && cmd.id === undefined) {
      this.#awaitingPong = false;
      return undefined;
    }
    if (cmd.method === 'send') {
      if (!this.#connected) return undefined;
      const data = cmd.params['data'];
      // No reply to carry an error: data over the limit is dropped (and counted as an error).
      checkDataLength(
        typeof data === 'string' ? data : JSON.stringify(data ?? null),
        this.#host.settings.maxDataLength,
      );
      this.#host.message(data);
      return undefined;
    }
    if (cmd.id === undefined) throw new Disconnect(CentrifugeDisconnect.BadRequest, 'command without id');
    if (cmd.method === 'connect') return { id: cmd.id, connect: await this.#connect(cmd.params) };
    if (!this.#connected) throw new Disconnect(CentrifugeDisconnect.BadRequest, 'connect first');
    const p = cmd.params;
    switch (cmd.method) {
      case 'subscribe':
        return { id: cmd.id, subscribe: await this.#subs.subscribe(p) };
      case 'unsubscribe':
        await this.#subs.unsubscribe(p);
        return { id: cmd.id, unsubscribe: {} };
      case 'publish':
        return { id: cmd.id, publish: await this.#subs.publish(p, String(this.#host.connId)) };
      case 'rpc':
        return { id: cmd.id, rpc: await this.#rpc(p) };
      case 'refresh':
        return { id: cmd.id, refresh: await this.#refresh(p) };
      case 'sub_refresh':
        return { id: cmd.id, sub_refresh: await this.#subs.subRefresh(p) };
      case 'history':
        return { id: cmd.id, history: await this.#subs.history(p) };
      case 'presence':
        return { id: cmd.id, presence: await this.#subs.presence(p) };
      case 'presence_stats':
        return { id: cmd.id, presence_stats: await this.#subs.presenceStats(p) };
      default:
        throw new ReplyError(CentrifugeError.MethodNotFound, 'method not found');
    }
  }

  async #connect(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.#connected) throw new Disconnect(CentrifugeDisconnect.BadRequest, 'already connected');
    const token = typeof p['token'] === 'string' ? p['token'] : '';
    const { settings } = this.#host;
    let claims: ConnectionClaims | undefined;
    if (token === '') {
      const anonymous =
        settings.allowAnonymousConnect === 'auto'
          ? !this.#tokens.configured
          : settings.allowAnonymousConnect === 'true';
      if (!anonymous) throw new Disconnect(CentrifugeDisconnect.PermissionDenied, 'permission denied');
    } else {
      claims = await this.#verify(token, (expired) =>
        expired
          ? new ReplyError(CentrifugeError.TokenExpired, 'token expired')
          : new Disconnect(CentrifugeDisconnect.InvalidToken, 'invalid token'),
      );
    }
    const expiry = expiryFields(claims?.expireAt ?? 0);
    const subs = claims?.subs ?? new Map();
    // Every server-side channel is checked before the connection counts as connected.
    const resolved = this.#subs.checkServerSide(subs);
    this.#who = { user: claims?.user ?? '', info: claims?.info };
    this.#meta = claims?.meta;
    this.#connected = true;
    this.#host.connected(this.#who.user, this.#who.info);
    const reply: Record<string, unknown> = {
      client: String(this.#host.connId),
      version: VERSION,
      ping: Math.round(settings.pingIntervalMs / 1000),
      pong: true,
      ...expiry,
    };
    if (resolved.size > 0) reply['subs'] = await this.#subs.joinServerSide(subs, resolved);
    this.#watchExpiry(claims?.expireAt ?? 0);
    this.#schedulePing();
    return reply;
  }

  /** A new connection token (the SDK's `getToken`): same user (else 3500); an expired one closes with 3005. */
  async #refresh(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    const token = typeof p['token'] === 'string' ? p['token'] : '';
    if (token === '') throw new Disconnect(CentrifugeDisconnect.BadRequest, 'token required');
    const claims = await this.#verify(
      token,
      (expired) =>
        new Disconnect(
          expired ? CentrifugeDisconnect.Expired : CentrifugeDisconnect.InvalidToken,
          expired ? 'connection expired' : 'invalid token',
        ),
    );
    if (claims.user !== this.#who.user)
      throw new Disconnect(CentrifugeDisconnect.InvalidToken, 'invalid token');
    const reply = { client: String(this.#host.connId), version: VERSION, ...expiryFields(claims.expireAt) };
    if (claims.info !== undefined) this.#who = { user: claims.user, info: claims.info };
    if (claims.meta !== undefined) this.#meta = claims.meta;
    this.#watchExpiry(claims.expireAt);
    return reply;
  }

  async #verify(token: string, refusal: (expired: boolean) => Error): Promise<ConnectionClaims> {
    try {
      return await this.#tokens.connectionClaims(token);
    } catch (err) {
      throw refusal(err instanceof TokenError && err.expired);
    }
  }

  async #rpc(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    const method = typeof p['method'] === 'string' ? p['method'] : '';
    const input = p['data'];
    if (input !== undefined)
      checkDataLength(
        typeof input === 'string' ? input : JSON.stringify(input),
        this.#host.settings.maxDataLength,
      );
    const data = await this.#host.rpc(method, input);
    return data === undefined ? {} : { data };
  }

  /** Closes with 3005 once the expiry and the grace have passed without a refresh. */
  #watchExpiry(expireAt: number): void {
    clearTimeout(this.#expiryTimer);
    if (expireAt === 0) return;
    const ms = closeDelayMs(expireAt, this.#host.settings.expiredCloseDelayMs);
    this.#expiryTimer = setTimeout(
      () => this.#disconnect(CentrifugeDisconnect.Expired, 'connection expired'),
      ms,
    );
    this.#expiryTimer.unref();
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

  #disconnect(code: number, reason: string): void {
    if (this.#closed) return;
    this.closed();
    this.#host.close(code, reason);
  }
}
