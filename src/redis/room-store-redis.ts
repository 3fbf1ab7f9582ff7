/**
 * The room store of a multi-machine deployment: every process's memberships in one Redis, each connection filed
 * under the process that holds it (read from its id), so a process that dies without cleaning up has its
 * memberships removed by the others' sweepers once its liveness key expires. While Redis is unreachable every
 * operation fails fast with GatewayError(UPSTREAM_ERROR); when it is back, this process registers its memberships
 * again from the gateway (`attach`), because Redis may have restarted empty.
 */
import type { RedisOptions } from 'ioredis';
import { ErrorCode, GatewayError } from '../errors.js';
import { clusterKeyPrefix, RedisKeys } from './keys.js';
import { Liveness } from './liveness.js';
import { allocateProcessIndex, newProcessToken } from './process-index.js';
import {
  closeRedis,
  connectRedis,
  isCluster,
  quietRedisLogger,
  type RedisClient,
  type RedisLogger,
} from './redis-client.js';
import { defineStoreScripts, type StoreScripts } from './scripts.js';
import { Sweeper } from './sweeper.js';
import { processOfConn, type ConnId, type ProcessIndex, type RoomId } from '../types.js';
import { assertConnId, type MembershipSource, type RoomStore } from '../store/room-store.js';

export interface RedisRoomStoreOptions {
  /**
   * `redis://[user:password@]host:port[/db]`, checked at open (ConfigError `redisUrl`). A cluster node (detected)
   * or several comma-separated seeds open a Redis Cluster; the key prefix then becomes a hash tag.
   */
  url: string;
  /** Prefix of every key. Default `tars-ws:`. */
  keyPrefix?: string;
  /** A process silent for this long has its memberships removed. Default 15000 ms; at least 1000. */
  nodeTtlMs?: number;
  /** This process's index; allocated from Redis when absent (see {@link RedisRoomStore.processIndex}). */
  processIndex?: ProcessIndex;
  logger?: RedisLogger;
  /** Extra ioredis options, for tests. */
  ioredis?: RedisOptions;
}

/** Counters of the store's dealings with Redis since open. */
export interface RedisRoomStoreStats {
  /** Operations rejected because Redis was unreachable or failed. */
  failures: number;
  /** Times this process registered its memberships again (Redis came back or lost its keys). */
  resyncs: number;
}

/**
 * {@link RoomStore} in Redis, shared by every gateway process of a deployment. Membership changes are single Lua
 * scripts (atomic); counts are SCARD. On a Redis Cluster every key carries the prefix as a hash tag, so the whole
 * store lives in one slot (one shard).
 *
 * @example
 * const store = await RedisRoomStore.open({ url: 'redis://127.0.0.1:6379', nodeTtlMs: 15_000 });
 * const gateway = await Gateway.create(config, { store, broker, processIndex: store.processIndex });
 */
export class RedisRoomStore implements RoomStore {
  readonly processIndex: ProcessIndex;
  readonly keys: RedisKeys;
  readonly stats: RedisRoomStoreStats = { failures: 0, resyncs: 0 };
  readonly #client: RedisClient;
  readonly #scripts: StoreScripts;
  readonly #liveness: Liveness;
  readonly #sweeper: Sweeper;
  readonly #logger: RedisLogger;
  readonly #inflight = new Set<Promise<unknown>>();
  #source: MembershipSource | undefined;
  #resync: Promise<void> | undefined;
  #resyncAgain = false;
  #closed = false;

  private constructor(
    client: RedisClient,
    keys: RedisKeys,
    processIndex: ProcessIndex,
    ttlMs: number,
    token: string,
    logger: RedisLogger,
  ) {
    this.#client = client;
    this.keys = keys;
    this.processIndex = processIndex;
    this.#logger = logger;
    this.#scripts = defineStoreScripts(client);
    this.#liveness = new Liveness(client, keys, ttlMs, token, logger, () => void this.resync());
    this.#sweeper = new Sweeper(client, this.#scripts, keys, ttlMs, token, logger);
    this.#liveness.track(processIndex);
    this.#liveness.start();
    this.#sweeper.start();
    // The first 'ready' came before open() resolved: every one seen here ends an outage.
    client.on('ready', () => void this.resync());
  }

  /** Connects, allocates the process index if none was given, and starts the liveness refresh and the sweeper. */
  static async open(options: RedisRoomStoreOptions): Promise<RedisRoomStore> {
    const prefix = options.keyPrefix ?? 'tars-ws:';
    const ttlMs = options.nodeTtlMs ?? 15_000;
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000) {
      throw new RangeError(`nodeTtlMs must be an integer of at least 1000, got ${ttlMs}`);
    }
    const logger = options.logger ?? quietRedisLogger;
    const client = await connectRedis({
      url: options.url,
      name: `${prefix}store`,
      logger,
      ...(options.ioredis ? { ioredis: options.ioredis } : {}),
    });
    const keys = new RedisKeys(isCluster(client) ? clusterKeyPrefix(prefix) : prefix);
    const token = newProcessToken();
    try {
      const index = options.processIndex ?? (await allocateProcessIndex(client, keys, ttlMs, token));
      return new RedisRoomStore(client, keys, index, ttlMs, token, logger);
    } catch (err) {
      await closeRedis(client);
      throw err;
    }
  }

  /** True while the connection to Redis is up. */
  get connected(): boolean {
    return this.#client.status === 'ready';
  }

  async add(room: RoomId, conn: ConnId): Promise<boolean> {
    assertConnId(conn);
    const proc = processOfConn(conn);
    this.#liveness.track(proc);
    const k = this.keys;
    return this.#run(async () => {
      const added = await this.#scripts.add(
        k.room(room),
        k.conn(conn),
        k.rooms,
        k.procConns(proc),
        k.procs,
        conn,
        room,
        proc,
      );
      return added === 1;
    });
  }

  async remove(room: RoomId, conn: ConnId): Promise<boolean> {
    assertConnId(conn);
    const k = this.keys;
    return this.#run(async () => {
      const removed = await this.#scripts.remove(
        k.room(room),
        k.conn(conn),
        k.rooms,
        k.procConns(processOfConn(conn)),
        conn,
        room,
      );
      return removed === 1;
    });
  }

  async members(room: RoomId): Promise<ConnId[]> {
    return this.#run(async () => (await this.#client.smembers(this.keys.room(room))).map(Number));
  }

  async roomsOf(conn: ConnId): Promise<RoomId[]> {
    assertConnId(conn);
    return this.#run(() => this.#client.smembers(this.keys.conn(conn)));
  }

  async removeConnection(conn: ConnId): Promise<RoomId[]> {
    assertConnId(conn);
    const k = this.keys;
    return this.#run(async () => {
      const rooms = await this.#scripts.removeConnection(
        k.conn(conn),
        k.rooms,
        k.procConns(processOfConn(conn)),
        conn,
        k.prefix,
      );
      return rooms as RoomId[];
    });
  }

  async count(room: RoomId): Promise<number> {
    return this.#run(() => this.#client.scard(this.keys.room(room)));
  }

  async rooms(): Promise<RoomId[]> {
    return this.#run(() => this.#client.smembers(this.keys.rooms));
  }

  attach(source: MembershipSource): void {
    this.#source = source;
  }

  /** Removes now the memberships of every process whose liveness expired (the timer does it every nodeTtlMs/2). */
  sweep(): Promise<number> {
    return this.#sweeper.sweep(false);
  }

  /**
   * Makes Redis hold exactly this process's memberships as the attached source has them: adds the missing ones,
   * removes the ones of connections that closed while Redis was away. Runs by itself after a reconnection and when a
   * liveness key was lost; calls made while one runs are merged into one more run.
   */
  resync(): Promise<void> {
    if (this.#resync) {
      this.#resyncAgain = true;
      return this.#resync;
    }
    this.#resync = this.#resyncLoop().finally(() => (this.#resync = undefined));
    return this.#resync;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inflight]);
    await this.#sweeper.stop();
    await this.#resync?.catch(() => undefined);
    await this.#liveness.stop();
    await closeRedis(this.#client);
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  #run<T>(op: () => Promise<T>): Promise<T> {
    const p = op().catch((err: unknown) => {
      this.stats.failures++;
      throw new GatewayError(ErrorCode.Upstream, 'room store (redis) is unavailable', { cause: err });
    });
    this.#inflight.add(p);
    const forget = (): void => void this.#inflight.delete(p);
    p.then(forget, forget);
    return p;
  }

  async #resyncLoop(): Promise<void> {
    do {
      this.#resyncAgain = false;
      // Without a source there is nothing to register, and nothing to judge stale.
      if (this.#closed || !this.connected || !this.#source) return;
      try {
        await this.#resyncOnce();
      } catch (err) {
        // Redis went away again: the next 'ready' starts another run.
        this.#logger.warn({ err: (err as Error).message }, 'room store: re-registration failed');
        return;
      }
    } while (this.#resyncAgain);
  }

  async #resyncOnce(): Promise<void> {
    const k = this.keys;
    await this.#liveness.refresh();
    await this.#scripts.raiseSeq(k.processSeq, this.processIndex);
    // What Redis holds for the processes whose connections live here.
    const held = new Map<ConnId, string[]>();
    for (const proc of this.#liveness.tracked) {
      const conns = (await this.#client.smembers(k.procConns(proc))).map(Number);
      if (conns.length === 0) continue;
      const read = this.#client.pipeline();
      for (const conn of conns) read.smembers(k.conn(conn));
      for (const [i, [err, rooms]] of ((await read.exec()) ?? []).entries()) {
        if (err) throw err;
        held.set(conns[i]!, rooms as string[]);
      }
    }
    // From the local snapshot to the write in one tick: a join or leave after it reaches Redis after these writes.
    const local = new Map<ConnId, Set<RoomId>>();
    for (const [room, conn] of this.#source?.localMemberships() ?? []) {
      let rooms = local.get(conn);
      if (!rooms) local.set(conn, (rooms = new Set()));
      rooms.add(room);
    }
    const write = this.#client.pipeline();
    const scripts = this.#scripts.pipelined(write);
    let added = 0;
    let removed = 0;
    for (const [conn, rooms] of held) {
      const keep = local.get(conn);
      for (const room of rooms) {
        if (keep?.has(room)) continue;
        scripts.remove(k.room(room), k.conn(conn), k.rooms, k.procConns(processOfConn(conn)), conn, room);
        removed++;
      }
    }
    for (const [conn, rooms] of local) {
      const proc = processOfConn(conn);
      for (const room of rooms) {
        scripts.add(k.room(room), k.conn(conn), k.rooms, k.procConns(proc), k.procs, conn, room, proc);
        added++;
      }
    }
    for (const [err] of (await write.exec()) ?? []) if (err) throw err;
    this.stats.resyncs++;
    this.#logger.info(
      { memberships: added, stale: removed },
      'room store: memberships registered again in redis',
    );
  }
}
