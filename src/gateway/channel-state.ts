/**
 * What a channel keeps beyond its members, for every protocol: history (each room publication gets its offset
 * before it is published) and presence (who is in, with join/leave pushes), as the channel's options say. The
 * engines behind it are the gateway's HistoryStore and PresenceStore (memory, IPC to the primary, or Redis).
 */
import type { PresenceEvent, PublicationMeta, PublisherInfo } from '../broker/broker.js';
import { keepsHistory, type ChannelOptions, type ChannelRules } from '../config/channel-options.js';
import { ErrorCode, GatewayError } from '../errors.js';
import {
  wirePublication,
  type HistoryStore,
  type ReadResult,
  type StreamPosition,
} from '../history/history-store.js';
import { LogLimiter, type Logger } from '../logger.js';
import {
  clientInfo,
  publisherInfo,
  type ClientInfo,
  type PresenceStore,
} from '../presence/presence-store.js';
import type { ConnId, RoomId } from '../types.js';
import type { HistoryPage, HistoryQuery } from './api.js';
import type { Connection } from './connection.js';

/** What the channel state needs of the gateway: telling a room's members on every process. */
export type Announce = (room: RoomId, event: PresenceEvent, info: PublisherInfo) => Promise<void>;

/** How a connection is in a channel, as presence shows it. */
export interface Membership {
  /** Options of this subscription (the channel's, or a token's override of them). */
  readonly options: ChannelOptions;
  /** The subscriber's channel info (subscription token `info`). */
  readonly chanInfo?: unknown;
}

export class ChannelState {
  readonly #rules: ChannelRules;
  readonly #history: HistoryStore;
  readonly #presence: PresenceStore;
  readonly #announce: Announce;
  readonly #log: LogLimiter;
  /** Per connection, the channels where it counts as present (to leave them on close). */
  readonly #present = new Map<ConnId, Map<RoomId, Membership>>();

  constructor(
    rules: ChannelRules,
    history: HistoryStore,
    presence: PresenceStore,
    announce: Announce,
    log: Logger,
  ) {
    this.#rules = rules;
    this.#history = history;
    this.#presence = presence;
    this.#announce = announce;
    this.#log = new LogLimiter(log);
  }

  /** The options of a channel; undefined for a channel of an unknown namespace. */
  optionsOf(room: RoomId): ChannelOptions | undefined {
    return this.#rules.resolve(room)?.options;
  }

  /**
   * The history position of a room publication about to be published, or undefined when the room keeps no
   * history (then nothing is awaited: plain rooms pay nothing). See PushService.useHistory.
   */
  append = (
    room: RoomId,
    message: string,
    pub: PublicationMeta | undefined,
    idempotencyKey?: string,
  ): Promise<{ offset: number; epoch: string }> | undefined => {
    const options = this.optionsOf(room);
    if (options === undefined || !keepsHistory(options)) return undefined;
    const input: Parameters<HistoryStore['append']>[1] = { data: message };
    if (pub?.json === true) input.json = true;
    if (pub?.info !== undefined) input.info = clientInfo(pub.info);
    if (pub?.tags !== undefined) input.tags = { ...pub.tags };
    if (idempotencyKey !== undefined) input.idempotencyKey = idempotencyKey;
    return this.#history.append(room, input, { size: options.historySize, ttlMs: options.historyTtlMs });
  };

  /** Reads a room's history; NOT_FOUND (108 to Centrifugo clients) when it keeps none. */
  async read(
    room: RoomId,
    query: { since?: StreamPosition; limit?: number; reverse?: boolean },
  ): Promise<ReadResult> {
    this.#needHistory(room);
    return this.#history.read(room, query);
  }

  /** The server API's `history`: Centrifugo's limit rule (absent or 0: only the position). */
  async historyPage(room: RoomId, query: HistoryQuery): Promise<HistoryPage> {
    const limit = query.limit === undefined || query.limit === 0 ? 0 : query.limit;
    const read = await this.read(room, {
      limit,
      ...(query.since === undefined ? {} : { since: query.since }),
      ...(query.reverse === true ? { reverse: true } : {}),
    });
    return {
      publications: read.publications.map(wirePublication),
      offset: read.offset,
      epoch: read.epoch,
    };
  }

  async removeHistory(room: RoomId): Promise<void> {
    this.#needHistory(room);
    await this.#history.remove(room);
  }

  /** Who is in the room, by client id; NOT_FOUND when the room keeps no presence. */
  async presence(room: RoomId): Promise<Record<string, PublisherInfo>> {
    this.#needPresence(room);
    const entries = await this.#presence.get(room);
    const out: Record<string, PublisherInfo> = {};
    for (const [client, info] of Object.entries(entries)) out[client] = publisherInfo(info);
    return out;
  }

  async presenceStats(room: RoomId): Promise<{ numClients: number; numUsers: number }> {
    this.#needPresence(room);
    return this.#presence.stats(room);
  }

  /**
   * A connection joined a room: it counts in the room's presence and its members are told, when the options ask.
   * Presence failures (the engine down) are logged, not thrown: the subscription itself stands.
   */
  async joined(conn: Connection, room: RoomId, membership?: Partial<Membership>): Promise<void> {
    const options = membership?.options ?? this.optionsOf(room);
    if (options === undefined || (!options.presence && !options.joinLeave)) return;
    const m: Membership =
      membership?.chanInfo === undefined ? { options } : { options, chanInfo: membership.chanInfo };
    let rooms = this.#present.get(conn.id);
    if (!rooms) this.#present.set(conn.id, (rooms = new Map()));
    rooms.set(room, m);
    const info = this.#info(conn, m);
    if (options.presence) {
      await this.#presence
        .add(room, info.client, info)
        .catch((err: unknown) => this.#failed('add', room, err));
    }
    // After the subscribe reply (sent once this join resolves), so the joiner's SDK knows the channel by then.
    if (options.joinLeave) setImmediate(() => void this.#tell(room, 'join', info));
  }

  /** A connection left a room (unsubscribe, or its close): out of presence, members told. */
  async left(conn: Connection, room: RoomId): Promise<void> {
    const rooms = this.#present.get(conn.id);
    const m = rooms?.get(room);
    if (rooms === undefined || m === undefined) return;
    rooms.delete(room);
    if (rooms.size === 0) this.#present.delete(conn.id);
    const info = this.#info(conn, m);
    if (m.options.presence) {
      await this.#presence
        .remove(room, info.client)
        .catch((err: unknown) => this.#failed('remove', room, err));
    }
    if (m.options.joinLeave) await this.#tell(room, 'leave', info);
  }

  /** A closed connection leaves every room where it was present. */
  closed(conn: Connection): void {
    const rooms = this.#present.get(conn.id);
    if (rooms === undefined) return;
    for (const room of [...rooms.keys()]) void this.left(conn, room);
  }

  #info(conn: Connection, m: Membership): ClientInfo {
    const info: ClientInfo = { user: conn.user ?? '', client: String(conn.id) };
    if (conn.connInfo !== undefined) info.connInfo = conn.connInfo;
    if (m.chanInfo !== undefined) info.chanInfo = m.chanInfo;
    return info;
  }

  async #tell(room: RoomId, event: PresenceEvent, info: ClientInfo): Promise<void> {
    await this.#announce(room, event, publisherInfo(info)).catch((err: unknown) =>
      this.#failed(event, room, err),
    );
  }

  #failed(what: string, room: RoomId, err: unknown): void {
    this.#log.warn(`presence:${what}`, { room, err: (err as Error).message }, `presence ${what} failed`);
  }

  #needHistory(room: RoomId): void {
    const options = this.optionsOf(room);
    if (options === undefined || !keepsHistory(options))
      throw new GatewayError(ErrorCode.NotFound, `channel ${room} keeps no history`);
  }

  #needPresence(room: RoomId): void {
    if (this.optionsOf(room)?.presence !== true)
      throw new GatewayError(ErrorCode.NotFound, `channel ${room} keeps no presence`);
  }
}
