/**
 * Who is subscribed to a channel (Centrifugo's presence): one entry per client with its user and info, and the
 * counts of clients and unique users. Entries of a process that dies without cleaning up disappear by themselves:
 * each backend ties them to its process's liveness (see docs/realtime.md, "Engines").
 */

import type { PublisherInfo } from '../broker/broker.js';

/** A channel name as the protocols use it (`chat:index`); validated at the edge, stored exactly. */
export type ChannelId = string;
/** A client's id (Centrifugo's `client`, a connection's unique id in the deployment). */
export type ClientId = string;

/** What a publication or presence entry tells about its client (Centrifugo's ClientInfo). */
export interface ClientInfo {
  /** The user id; '' for anonymous clients (text-protocol rooms count as such). */
  user: string;
  client: ClientId;
  /** Connection info from the connection token or proxy (any JSON value). */
  connInfo?: unknown;
  /** Channel info from the subscription token or proxy (any JSON value). */
  chanInfo?: unknown;
}

/** `presence_stats`: clients, and distinct users among them (anonymous clients count as one user ''). */
export interface PresenceStats {
  numClients: number;
  numUsers: number;
}

/**
 * Presence of channels. Implementations: {@link MemoryPresenceStore} (one process, or the primary of a machine's
 * workers through IpcPresenceStore) and RedisPresenceStore (every node of a deployment). All pass the conformance
 * suite in `test/support/presence-store-conformance.ts`.
 *
 * @example
 * await presence.add('chat:1', conn.client, { user: 'u1', client: conn.client });
 * const { numUsers } = await presence.stats('chat:1');
 */
export interface PresenceStore {
  /** Adds the client's entry to the channel, or replaces its info. */
  add(channel: ChannelId, client: ClientId, info: ClientInfo): Promise<void>;
  /** Removes the client's entry; nothing when it is not there. */
  remove(channel: ChannelId, client: ClientId): Promise<void>;
  /** Every live entry of the channel, by client id; `{}` for a channel nobody is in. The caller owns it. */
  get(channel: ChannelId): Promise<Record<ClientId, ClientInfo>>;
  /** Counts of the live entries. */
  stats(channel: ChannelId): Promise<PresenceStats>;
  /** Stops timers and connections; entries this process added are left to expire (or be removed by its owner). */
  close(): Promise<void>;
  /** Whether the backend behind it is reachable now (readiness); absent for stores in this process. */
  readonly connected?: boolean;
}

/** Copies an info to the exact shape stores keep (no undefined fields, so every backend answers alike). */
export function cleanInfo(info: ClientInfo): ClientInfo {
  const out: ClientInfo = { user: String(info.user), client: String(info.client) };
  if (info.connInfo !== undefined) out.connInfo = info.connInfo;
  if (info.chanInfo !== undefined) out.chanInfo = info.chanInfo;
  return out;
}

/** A client's info as Centrifugo's JSON shows it in publications and presence (`conn_info`, `chan_info`). */
export function publisherInfo(info: ClientInfo): PublisherInfo {
  const out: PublisherInfo = { user: info.user, client: info.client };
  if (info.connInfo !== undefined) out.conn_info = info.connInfo;
  if (info.chanInfo !== undefined) out.chan_info = info.chanInfo;
  return out;
}

/** The reverse of {@link publisherInfo}: the shape engines store. */
export function clientInfo(info: PublisherInfo): ClientInfo {
  const out: ClientInfo = { user: info.user, client: info.client };
  if (info.conn_info !== undefined) out.connInfo = info.conn_info;
  if (info.chan_info !== undefined) out.chanInfo = info.chan_info;
  return out;
}
