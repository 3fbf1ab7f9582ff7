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
