/**
 * The channels of one Centrifugo connection: subscribe (channel options or a subscription token), unsubscribe,
 * sub_refresh, publish, and the permission gates of history and presence. A channel without namespace is a room;
 * `ns:name` channels are rooms too (the same hub, store and broker) under their namespace's options.
 */
import type { PublicationMeta } from '../../broker/broker.js';
import { type ChannelOptions, type ResolvedChannel } from '../../config/channel-options.js';
import { keepsHistory } from '../../config/channel-options.js';
import { CentrifugeDisconnect, CentrifugeError, CentrifugeUnsubscribe } from '../../errors.js';
import { validateRoomId } from '../../store/room-store.js';
import type { RoomId } from '../../types.js';
import { wirePublication, type ReadResult, type StreamPosition } from '../../history/history-store.js';
import type { SessionHost } from '../protocol.js';
import { recover, requestedPosition } from './recovery.js';
import { mayPublish, mayReadHistory, mayReadPresence, maySubscribe, withOverride } from './permissions.js';
import { Disconnect, ReplyError } from './replies.js';
import { TokenError, type SubscriptionClaims, type SubscriptionGrant, type TokenVerifier } from './tokens.js';

/** One subscription: the options it runs with and what its token said. */
interface Subscription {
  readonly options: ChannelOptions;
  /** From the connection token (`subs`/`channels`): a missed refresh then closes the connection (3006). */
  readonly serverSide: boolean;
  /** Channel info of this subscriber (`chan_info` of its publications). */
  info: unknown;
  /** Seconds since the epoch; 0 = never. */
  expireAt: number;
  timer?: NodeJS.Timeout;
}

/** The subscribe flag of the SDK's getState flow: answer 112 rather than `recovered: false`. */
const REJECT_UNRECOVERED = 2;

/** Who the connection is, as its connect said. */
export interface ConnectionIdentity {
  readonly user: string;
  readonly info: unknown;
}

/** Reply fields of an expiring subscription or connection: `expires` and `ttl` in seconds. */
export function expiryFields(expireAt: number): { expires?: true; ttl?: number } {
  if (expireAt === 0) return {};
  const ttl = expireAt - Math.floor(Date.now() / 1000);
  if (ttl <= 0) throw new ReplyError(CentrifugeError.Expired, 'expired');
  return { expires: true, ttl };
}

/**
 * When to give up on a refresh: the `ttl` the reply told (whole seconds, which the SDK waits before refreshing) plus
 * the grace, counted from now, so a client told `ttl: 1` of a token expiring in 0.2 s still has the grace.
 */
export function closeDelayMs(expireAt: number, graceMs: number): number {
  return (expireAt - Math.floor(Date.now() / 1000)) * 1000 + graceMs;
}

export class Subscriptions {
  readonly #host: SessionHost;
  readonly #tokens: TokenVerifier;
  readonly #who: () => ConnectionIdentity;
  readonly #disconnect: (code: CentrifugeDisconnect, reason: string) => void;
  readonly #subs = new Map<RoomId, Subscription>();
  /** Runs a function once the reply of the command being handled is sent. */
  readonly #defer: (afterReply: () => void) => void;

  constructor(
    host: SessionHost,
    tokens: TokenVerifier,
    who: () => ConnectionIdentity,
    disconnect: (code: CentrifugeDisconnect, reason: string) => void,
    defer: (afterReply: () => void) => void,
  ) {
    this.#defer = defer;
    this.#host = host;
    this.#tokens = tokens;
    this.#who = who;
    this.#disconnect = disconnect;
  }

  /** Validates a channel name as rooms are (107 when too long or with control characters). */
  name(channel: unknown): RoomId {
    try {
      return validateRoomId(channel, this.#host.settings.maxChannelLength);
    } catch (err) {
      throw new ReplyError(CentrifugeError.BadRequest, (err as Error).message);
    }
  }

  /** Validates a channel name (107) and resolves its namespace (102). */
  resolve(channel: unknown): { room: RoomId; channel: ResolvedChannel } {
    const room = this.name(channel);
    const resolved = this.#host.settings.channels.resolve(room);
    if (resolved === undefined) throw new ReplyError(CentrifugeError.UnknownChannel, 'unknown channel');
    return { room, channel: resolved };
  }

  /**
   * Checks the connection token's server-side channels before the connect succeeds: names (107), namespaces
   * (102), count (3505).
   */
  checkServerSide(subs: ReadonlyMap<string, SubscriptionGrant>): Map<RoomId, ResolvedChannel> {
    if (subs.size > this.#host.settings.maxChannels)
      throw new Disconnect(CentrifugeDisconnect.ChannelLimit, 'channel limit');
    const out = new Map<RoomId, ResolvedChannel>();
    for (const name of subs.keys()) {
      const { room, channel } = this.resolve(name);
      out.set(room, channel);
    }
    return out;
  }

  /** Joins the connection token's channels (checked by {@link checkServerSide}); their connect-reply `subs` entries. */
  async joinServerSide(
    subs: ReadonlyMap<string, SubscriptionGrant>,
    resolved: ReadonlyMap<RoomId, ResolvedChannel>,
  ): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [room, channel] of resolved) {
      const grant = subs.get(room) ?? {};
      const options = withOverride(channel.options, grant.override);
      await this.#host.join(room, { options, chanInfo: grant.info });
      this.#subs.set(room, { options, serverSide: true, info: grant.info, expireAt: 0 });
      out[room] = {};
    }
    return out;
  }

  /**
   * The server API's `subscribe`: a server-side subscription, told with a `subscribe` push carrying `data`. Already
   * subscribed, an unknown namespace or the channel limit: nothing (the API has answered its caller already).
   */
  async serverSubscribe(name: string, data: unknown): Promise<void> {
    const { room, channel } = this.resolve(name);
    if (this.#subs.has(room) || this.#subs.size >= this.#host.settings.maxChannels) return;
    if (!(await this.#host.join(room))) return;
    this.#subs.set(room, { options: channel.options, serverSide: true, info: undefined, expireAt: 0 });
    const subscribe = data === undefined ? {} : { data };
    this.#host.send(JSON.stringify({ push: { channel: room, subscribe } }));
  }

  /** The server API's `unsubscribe`: leaves the channel and tells the client (code 2000, no resubscribe). */
  async serverUnsubscribe(name: string): Promise<void> {
    const room = this.name(name);
    const sub = this.#subs.get(room);
    if (sub === undefined) return;
    clearTimeout(sub.timer);
    this.#subs.delete(room);
    await this.#host.leave(room);
    const unsubscribe = { code: CentrifugeUnsubscribe.Server, reason: 'server unsubscribe' };
    this.#host.send(JSON.stringify({ push: { channel: room, unsubscribe } }));
  }

  async subscribe(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { room, channel } = this.resolve(p['channel']);
    if (this.#subs.has(room)) throw new ReplyError(CentrifugeError.AlreadySubscribed, 'already subscribed');
    if (this.#subs.size >= this.#host.settings.maxChannels)
      throw new ReplyError(CentrifugeError.LimitExceeded, 'channel limit exceeded');
    const token = typeof p['token'] === 'string' ? p['token'] : '';
    const { user } = this.#who();
    let claims: SubscriptionClaims | undefined;
    // A valid token alone decides (Centrifugo's order); a `$` channel needs one.
    if (token !== '') claims = await this.#verify(token, room);
    else if (channel.private || !maySubscribe(channel.options, room, user))
      throw new ReplyError(CentrifugeError.PermissionDenied, 'permission denied');
    const expireAt = claims?.expireAt ?? 0;
    const reply: Record<string, unknown> = expiryFields(expireAt);
    const options = withOverride(channel.options, claims?.override);
    const recoverable = keepsHistory(options) && (options.forceRecovery || p['recoverable'] === true);
    const positioned = keepsHistory(options) && p['positioned'] === true;
    // Live pushes wait from before the history read until the reply is out: none lost, none twice (the seam).
    const streamed = recoverable || positioned;
    if (streamed) this.#host.hold(room);
    try {
      await this.#host.join(room, { options, chanInfo: claims?.info });
      const sub: Subscription = { options, serverSide: false, info: claims?.info, expireAt };
      this.#subs.set(room, sub);
      this.#watchExpiry(room, sub);
      if (streamed) {
        const after = await this.#position(room, p, reply, recoverable, positioned);
        // A positioned subscriber that would see a hole in the offsets is disconnected to reconnect (3010).
        const gapClose = positioned ? CentrifugeDisconnect.InsufficientState : undefined;
        this.#defer(() => this.#host.release(room, after, gapClose));
      }
    } catch (err) {
      if (streamed) this.#host.release(room);
      throw err;
    }
    return reply;
  }

  /**
   * Fills the stream fields of a subscribe reply (`recoverable`/`positioned`, `epoch`, `offset`, and for a
   * recovery `publications`, `recovered`, `was_recovering`); returns the position live pushes continue after. The
   * history engine down: a recovery is answered `recovered: false` with the client's own position (nothing
   * invented), a plain subscribe gets no position.
   */
  async #position(
    room: RoomId,
    p: Record<string, unknown>,
    reply: Record<string, unknown>,
    recoverable: boolean,
    positioned: boolean,
  ): Promise<StreamPosition | undefined> {
    const recovering = recoverable && p['recover'] === true;
    const since = requestedPosition(p);
    const limit = this.#host.settings.maxPublicationLimit;
    let read: ReadResult;
    try {
      read = await this.#host.history(room, recovering ? { since, limit: limit + 1 } : { limit: 0 });
    } catch {
      if (!recovering) return undefined;
      Object.assign(reply, { recoverable: true, epoch: since.epoch, offset: since.offset });
      Object.assign(reply, { was_recovering: true, recovered: false });
      return since;
    }
    if (recoverable) reply['recoverable'] = true;
    if (positioned) reply['positioned'] = true;
    reply['epoch'] = read.epoch;
    reply['offset'] = read.offset;
    if (!recovering) return { offset: read.offset, epoch: read.epoch };
    const r = recover(since, read, limit);
    // The SDK's getState flow asks to be refused rather than told: 112, it reloads its state and subscribes again.
    if (!r.recovered && (Number(p['flag'] ?? 0) & REJECT_UNRECOVERED) !== 0)
      throw new ReplyError(CentrifugeError.UnrecoverablePosition, 'unrecoverable position');
    reply['was_recovering'] = true;
    reply['recovered'] = r.recovered;
    if (r.publications.length > 0) reply['publications'] = r.publications;
    return { offset: r.after, epoch: read.epoch };
  }

  /** `history`: the gate, then the publications (limit 0: the position only; capped by the publication limit). */
  async history(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.readGate('history', p);
    const room = this.name(p['channel']);
    const max = this.#host.settings.maxPublicationLimit;
    const asked = typeof p['limit'] === 'number' && Number.isSafeInteger(p['limit']) ? p['limit'] : 0;
    const limit = asked < 0 ? max : Math.min(asked, max);
    const query: { since?: StreamPosition; limit: number; reverse?: boolean } = { limit };
    const since = p['since'];
    if (typeof since === 'object' && since !== null)
      query.since = requestedPosition(since as Record<string, unknown>);
    if (p['reverse'] === true) query.reverse = true;
    const read = await this.#host.history(room, query);
    if (query.since !== undefined && query.since.epoch !== '' && query.since.epoch !== read.epoch)
      throw new ReplyError(CentrifugeError.UnrecoverablePosition, 'unrecoverable position');
    const out: Record<string, unknown> = { epoch: read.epoch, offset: read.offset };
    if (read.publications.length > 0) out['publications'] = read.publications.map(wirePublication);
    return out;
  }

  async presence(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.readGate('presence', p);
    return { presence: await this.#host.presence(this.name(p['channel'])) };
  }

  async presenceStats(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.readGate('presence_stats', p);
    const { numClients, numUsers } = await this.#host.presenceStats(this.name(p['channel']));
    return { num_clients: numClients, num_users: numUsers };
  }

  /** Leaves a channel; like Centrifugo, not subscribed (or of no namespace) is no error. */
  async unsubscribe(p: Record<string, unknown>): Promise<void> {
    const room = this.name(p['channel']);
    const sub = this.#subs.get(room);
    if (sub === undefined) return;
    clearTimeout(sub.timer);
    this.#subs.delete(room);
    await this.#host.leave(room);
  }

  /** A new subscription token before the old one expires (the SDK's subscription `getToken`). */
  async subRefresh(p: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { room } = this.resolve(p['channel']);
    const sub = this.#subs.get(room);
    if (sub === undefined) throw new ReplyError(CentrifugeError.PermissionDenied, 'not subscribed');
    const token = typeof p['token'] === 'string' ? p['token'] : '';
    if (token === '') throw new ReplyError(CentrifugeError.BadRequest, 'token required');
    const claims = await this.#verify(token, room);
    const reply = expiryFields(claims.expireAt);
    sub.expireAt = claims.expireAt;
    if (claims.info !== undefined) sub.info = claims.info;
    this.#watchExpiry(room, sub);
    return reply;
  }

  async publish(p: Record<string, unknown>, client: string): Promise<Record<string, unknown>> {
    const { room, channel } = this.resolve(p['channel']);
    const data = p['data'];
    if (data === undefined) throw new ReplyError(CentrifugeError.BadRequest, 'data required');
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    checkDataLength(text, this.#host.settings.maxDataLength);
    const { user, info } = this.#who();
    const sub = this.#subs.get(room);
    if (!mayPublish(channel.options, user, sub !== undefined))
      throw new ReplyError(CentrifugeError.PermissionDenied, 'permission denied');
    // Centrifugo puts the publisher's ClientInfo in client publications.
    const pub: PublicationMeta = { info: { user, client } };
    if (info !== undefined) pub.info!.conn_info = info;
    if (sub?.info !== undefined) pub.info!.chan_info = sub.info;
    // A string reaches text clients as itself; any other value as its JSON text, flagged so SDK clients get it back.
    if (typeof data !== 'string') pub.json = true;
    await this.#host.publish(room, text, pub);
    return {};
  }

  /** history / presence / presence_stats: 108 where the channel keeps none, 103 without permission. */
  readGate(method: 'history' | 'presence' | 'presence_stats', p: Record<string, unknown>): void {
    const { room, channel } = this.resolve(p['channel']);
    const { user } = this.#who();
    const subscribed = this.#subs.has(room);
    const o = channel.options;
    const [kept, allowed] =
      method === 'history'
        ? [o.historySize > 0, mayReadHistory(o, user, subscribed)]
        : [o.presence, mayReadPresence(o, user, subscribed)];
    if (!kept) throw new ReplyError(CentrifugeError.NotAvailable, 'not available');
    if (!allowed) throw new ReplyError(CentrifugeError.PermissionDenied, 'permission denied');
  }

  /** The options a subscription runs with (channel options with its token's override); undefined when not subscribed. */
  optionsOf(room: RoomId): ChannelOptions | undefined {
    return this.#subs.get(room)?.options;
  }

  closed(): void {
    for (const sub of this.#subs.values()) clearTimeout(sub.timer);
  }

  /** 109 expired, 103 invalid, 3500 when it names another channel, user or client (as Centrifugo answers). */
  async #verify(token: string, room: RoomId): Promise<SubscriptionClaims> {
    let claims: SubscriptionClaims;
    try {
      claims = await this.#tokens.subscriptionClaims(token);
    } catch (err) {
      if (err instanceof TokenError && err.expired)
        throw new ReplyError(CentrifugeError.TokenExpired, 'token expired');
      throw new ReplyError(CentrifugeError.PermissionDenied, 'permission denied');
    }
    const client = String(this.#host.connId);
    if (claims.channel !== room || claims.user !== this.#who().user || (claims.client ?? client) !== client)
      throw new Disconnect(CentrifugeDisconnect.InvalidToken, 'invalid token');
    return claims;
  }

  /**
   * Ends a subscription whose expiry passed (plus the grace) without a sub_refresh: unsubscribe push 2501 (the SDK
   * subscribes again with a new token), or 3006 for a server-side one.
   */
  #watchExpiry(room: RoomId, sub: Subscription): void {
    clearTimeout(sub.timer);
    if (sub.expireAt === 0) return;
    const ms = closeDelayMs(sub.expireAt, this.#host.settings.expiredCloseDelayMs);
    sub.timer = setTimeout(() => {
      if (this.#subs.get(room) !== sub) return;
      if (sub.serverSide) return this.#disconnect(CentrifugeDisconnect.SubExpired, 'subscription expired');
      this.#subs.delete(room);
      const code = CentrifugeUnsubscribe.Expired;
      this.#host.send(
        JSON.stringify({ push: { channel: room, unsubscribe: { code, reason: 'subscription expired' } } }),
      );
      void this.#host.leave(room).catch(() => undefined);
    }, ms);
    sub.timer.unref();
  }
}

/** 106 when a command's `data` (its JSON text) is longer than `maxMessageLength`. */
export function checkDataLength(text: string, max: number): void {
  if (text.length > max)
    throw new ReplyError(CentrifugeError.LimitExceeded, `data longer than ${max} characters`);
}
