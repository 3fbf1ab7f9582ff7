/**
 * Every Redis key and channel name of tars-ws, in one place, all under the deployment's prefix (`redisKeyPrefix`)
 * so several deployments can share one Redis and tests can wipe exactly their own keys.
 */
import type { ConnId, ProcessIndex, RoomId } from '../types.js';

/**
 * The store's key prefix on a Redis Cluster: its scripts touch several keys, which must then share a hash slot, so
 * the prefix becomes a hash tag (`tars-ws:` -> `{tars-ws:}`) unless it already holds one.
 */
export function clusterKeyPrefix(prefix: string): string {
  return /\{[^}]+\}/.test(prefix) ? prefix : `{${prefix}}`;
}

export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** SET of the connection ids in a room. */
  room(room: RoomId): string {
    return `${this.prefix}room:${room}`;
  }
  /** SET of the rooms a connection is in. */
  conn(conn: ConnId): string {
    return `${this.prefix}conn:${conn}`;
  }
  /** SET of every non-empty room. */
  get rooms(): string {
    return `${this.prefix}rooms`;
  }
  /** SET of the connections of one process that are in at least one room (what the sweeper removes). */
  procConns(proc: ProcessIndex): string {
    return `${this.prefix}proc:${proc}:conns`;
  }
  /** SET of the processes that have (or had) memberships: what the sweeper looks at. */
  get procs(): string {
    return `${this.prefix}procs`;
  }
  /** A process's liveness: present while the process lives (TTL nodeTtlMs, refreshed every third of it). */
  alive(proc: ProcessIndex): string {
    return `${this.prefix}proc:${proc}:alive`;
  }
  /** Counter behind process index allocation. */
  get processSeq(): string {
    return `${this.prefix}process-seq`;
  }
  /** Short lock so that one sweeper of the deployment works at a time. */
  get sweepLock(): string {
    return `${this.prefix}sweep-lock`;
  }
  /** Pub/sub channel of room sends and broadcasts (every process listens). */
  get fanoutChannel(): string {
    return `${this.prefix}fanout`;
  }
  /** Pub/sub channel of one process: sends to one connection go to its holder only. */
  processChannel(proc: ProcessIndex): string {
    return `${this.prefix}proc:${proc}`;
  }
}

/**
 * Keys of the history and presence engines: per channel, with the channel as the hash tag (`{chat:1}`), so that one
 * channel's keys share a slot (its scripts are atomic on a Redis Cluster) while channels spread over the shards.
 * Built from the configured prefix as is: a prefix holding its own hash tag puts every channel in one slot.
 */
export class ChannelKeys {
  constructor(readonly prefix: string) {}

  /** STREAM of a channel's publications, entry id = offset (`5-0`), field `p` = the publication's JSON. */
  historyStream(channel: string): string {
    return `${this.prefix}history:{${channel}}:stream`;
  }
  /** HASH of a channel's stream position: `e` epoch, `s` top offset. Outlives the stream (meta TTL). */
  historyMeta(channel: string): string {
    return `${this.prefix}history:{${channel}}:meta`;
  }
  /** HASH of one idempotency key's result (`o` offset, `e` epoch), expiring with the key's window. */
  historyIdempotency(channel: string, key: string): string {
    return `${this.prefix}history:{${channel}}:idem:${key}`;
  }
  /** HASH client id -> presence info JSON. */
  presenceClients(channel: string): string {
    return `${this.prefix}presence:{${channel}}:clients`;
  }
  /** ZSET client id -> expiry (ms since epoch, Redis clock), refreshed by the holder's heartbeat. */
  presenceExpiry(channel: string): string {
    return `${this.prefix}presence:{${channel}}:expiry`;
  }
  /** HASH user id -> number of the channel's clients of that user (unique users for presence stats). */
  presenceUsers(channel: string): string {
    return `${this.prefix}presence:{${channel}}:users`;
  }
}
