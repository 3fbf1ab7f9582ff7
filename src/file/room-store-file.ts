/**
 * Room store shared by the worker processes of one machine through a directory: the original's FileFdStore without
 * its defects (no locking, duplicates, ghost ids, raw keys as file names, hard-coded directory never created).
 *
 * Layout of `dir` (names and parsing in room-store-file-format.ts):
 *   r-<sha256>.json   one per non-empty room: {"room": "<exact key>", "members": [1, 2, 3]}. The key is kept inside,
 *                     which also detects misplaced files. An emptied room's file is deleted.
 *   c-<connId>.json   one per connection in at least one room: {"conn": 7, "rooms": ["room1"]}. The reverse index
 *                     that makes roomsOf/removeConnection O(rooms of the connection) instead of a scan of every room.
 *   .lock             proper-lockfile's lock directory.
 *   .tmp-*            files being written: each write goes to a temp file in the same directory and is renamed over
 *                     its target, so a reader sees the old or the new contents, never a torn file.
 *
 * Locking: writes hold ONE store-wide lock. add/remove touch a room file and an index file, removeConnection several
 * rooms; per-file locks would need a global lock order to avoid deadlocks between processes, for little gain on
 * writes that take a millisecond. proper-lockfile uses mkdir (atomic on every file system, NFS included) and keeps the
 * lock's mtime fresh, so a lock left by a killed process is taken over once stale. Inside one process, operations
 * queue and run in batches under one acquisition; a batch reads each file once and writes it once. An operation
 * resolves only after its batch released the lock, so a process killed once it has answered leaves no lock behind.
 *
 * Reads take no lock. Room files are the source of truth; an index may name a room too many (after a crash between
 * writes, see #commit), so roomsOf checks every listed room file.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { ConfigError, ErrorCode, GatewayError } from '../errors.js';
import type { ConnId, RoomId } from '../types.js';
import { Batch } from './room-store-file-batch.js';
import * as format from './room-store-file-format.js';
import { assertConnId, stderrLogger, type RoomStore, type RoomStoreLogger } from '../store/room-store.js';

/** Options of {@link FileRoomStore.open}. */
export interface FileRoomStoreOptions {
  /** Directory holding the store's files, created (recursively) at open. Required; give every worker the same one. */
  dir: string;
  /**
   * Delete every room and connection file at open. Connection ids restart with the processes, so data left by a
   * previous run names dead (and soon reused) ids: set this in the one process that starts before the workers.
   * Default false.
   */
  reset?: boolean;
  /** How long an operation waits for the store lock before it fails with `UPSTREAM_ERROR`. Default 5000 ms. */
  lockTimeoutMs?: number;
  /** A lock not refreshed for this long was left by a dead process and is taken over. Default 10000 ms, minimum 5000. */
  lockStaleMs?: number;
  /** Receives warnings (corrupted files, I/O and lock failures). Default: one line on stderr. */
  logger?: RoomStoreLogger;
}

type ResolvedOptions = Required<FileRoomStoreOptions>;

/** A queued write operation. `run` never rejects: it returns how to settle the caller once the batch is committed. */
interface Job {
  run(batch: Batch): Promise<() => void>;
  fail(err: GatewayError): void;
}

/** Operations run under one lock acquisition at most; bounds how long other processes wait. */
const MAX_BATCH = 256;
/** Files read or written in parallel; keeps clear of the open-files limit. */
const PARALLELISM = 32;

/**
 * {@link RoomStore} in a directory, safe to share between processes on one machine (or on a network file system).
 *
 * @example
 * const store = await FileRoomStore.open({ dir: '/var/lib/tars-ws/rooms', reset: cluster.isPrimary });
 * await store.add('room1', 7);
 */
export class FileRoomStore implements RoomStore {
  /** Absolute path of the store's directory. */
  readonly dir: string;
  readonly #opts: ResolvedOptions;
  readonly #queue: Job[] = [];
  #draining: Promise<void> | undefined;
  #closed = false;
  #tempSeq = 0;
  /** Corrupted files already reported, so that every read of the same bad file does not log again. */
  readonly #reported = new Set<string>();

  private constructor(opts: ResolvedOptions) {
    this.#opts = opts;
    this.dir = opts.dir;
  }

  /** Validates the options, creates the directory, removes files of interrupted writes (and all data if `reset`). */
  static async open(options: FileRoomStoreOptions): Promise<FileRoomStore> {
    const opts = resolveOptions(options);
    try {
      await mkdir(opts.dir, { recursive: true });
      if (!(await stat(opts.dir)).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      throw new ConfigError(
        'roomStore.dir',
        `cannot use ${opts.dir} as the room store directory: ${messageOf(err)}`,
      );
    }
    const store = new FileRoomStore(opts);
    try {
      await store.#exclusive('open', () => store.#tidy());
    } catch (err) {
      // Typically an unwritable directory: stop the start here rather than fail every later operation.
      throw new ConfigError(
        'roomStore.dir',
        `cannot use ${opts.dir} as the room store directory: ${messageOf(err)}`,
      );
    }
    return store;
  }

  async add(room: RoomId, conn: ConnId): Promise<boolean> {
    assertConnId(conn);
    return this.#exclusive('add', async (batch) => {
      const members = await batch.members(room);
      if (members.includes(conn)) return false;
      const rooms = await batch.roomsOf(conn);
      batch.setMembers(room, [...members, conn]);
      if (!rooms.includes(room)) batch.setRoomsOf(conn, [...rooms, room]);
      return true;
    });
  }

  async remove(room: RoomId, conn: ConnId): Promise<boolean> {
    assertConnId(conn);
    return this.#exclusive('remove', async (batch) => {
      const members = await batch.members(room);
      if (!members.includes(conn)) return false;
      const rooms = await batch.roomsOf(conn);
      batch.setMembers(
        room,
        members.filter((m) => m !== conn),
      );
      batch.setRoomsOf(
        conn,
        rooms.filter((r) => r !== room),
      );
      return true;
    });
  }

  async members(room: RoomId): Promise<ConnId[]> {
    return this.#guard('members', () => this.#readRoom(room));
  }

  async roomsOf(conn: ConnId): Promise<RoomId[]> {
    assertConnId(conn);
    return this.#guard('roomsOf', async () => {
      const listed = await this.#readIndex(conn);
      const checks = await Promise.all(
        listed.map(async (room) => (await this.#readRoom(room)).includes(conn)),
      );
      return listed.filter((_, i) => checks[i]);
    });
  }

  async removeConnection(conn: ConnId): Promise<RoomId[]> {
    assertConnId(conn);
    return this.#exclusive('removeConnection', async (batch) => {
      const listed = await batch.roomsOf(conn);
      // Every read before any change, so that a failed read leaves the batch untouched.
      const members = await Promise.all(listed.map((room) => batch.members(room)));
      const left = listed.filter((_, i) => members[i]?.includes(conn));
      for (const [i, room] of listed.entries()) {
        const before = members[i];
        if (before?.includes(conn))
          batch.setMembers(
            room,
            before.filter((m) => m !== conn),
          );
      }
      batch.setRoomsOf(conn, []);
      return left;
    });
  }

  async count(room: RoomId): Promise<number> {
    return (await this.members(room)).length;
  }

  async rooms(): Promise<RoomId[]> {
    return this.#guard('rooms', async () => (await this.#scanRooms()).map(({ room }) => room));
  }

  /** Lets queued operations finish, then releases the lock; later calls reject. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#draining;
  }

  // ---- serialisation: in-process queue, store-wide file lock, batched commit ----

  #exclusive<T>(op: string, fn: (batch: Batch) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise<T>((resolvePromise, rejectPromise) => {
      this.#queue.push({
        run: async (batch) => {
          try {
            const value = await fn(batch);
            return () => resolvePromise(value);
          } catch (err) {
            const failure = this.#failure(op, err);
            return () => rejectPromise(failure);
          }
        },
        fail: rejectPromise,
      });
      this.#draining ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const jobs = this.#queue.splice(0, MAX_BATCH);
      let release: () => Promise<void>;
      try {
        release = await this.#lock();
      } catch (err) {
        const failure = this.#failure('lock', err);
        for (const job of jobs) job.fail(failure);
        continue;
      }
      const settlers: Array<() => void> = [];
      let failure: GatewayError | undefined;
      try {
        const batch = new Batch(
          (room) => this.#readRoom(room),
          (conn) => this.#readIndex(conn),
        );
        for (const job of jobs) settlers.push(await job.run(batch));
        await this.#commit(batch);
      } catch (err) {
        failure = this.#failure('write', err);
      } finally {
        await release().catch((err: unknown) =>
          this.#opts.logger.warn({ dir: this.dir, err: messageOf(err) }, 'room store unlock failed'),
        );
      }
      // Callers hear back only once the lock is gone: a process killed right after an answer went out (a cluster
      // worker whose client saw its subscribe confirmed) must not leave the lock behind, since others can take it
      // over only once it is stale.
      if (failure) for (const job of jobs) job.fail(failure);
      else for (const settle of settlers) settle();
    }
    // Cleared in the same tick as the last emptiness check, so a job queued later always starts a new drain.
    this.#draining = undefined;
  }

  /**
   * Writes what the batch changed, in an order that keeps every index a superset of its connection's rooms even if
   * the process dies halfway: indexes gaining rooms first, then room files, then indexes losing rooms.
   */
  async #commit(batch: Batch): Promise<void> {
    const growing: Array<[ConnId, RoomId[]]> = [];
    const shrinking: Array<[ConnId, RoomId[]]> = [];
    for (const [conn, { before, after }] of batch.changedIndexes()) {
      const union = [...new Set([...before, ...after])];
      if (union.length > before.length) growing.push([conn, union]);
      if (union.length > after.length) shrinking.push([conn, after]);
    }
    await inParallel(growing, ([conn, rooms]) => this.#writeIndex(conn, rooms));
    await inParallel(batch.changedRooms(), ([room, members]) => this.#writeRoom(room, members));
    await inParallel(shrinking, ([conn, rooms]) => this.#writeIndex(conn, rooms));
  }

  async #lock(): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.#opts.lockTimeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      try {
        return await lockfile.lock(this.dir, {
          lockfilePath: join(this.dir, format.LOCK_NAME),
          realpath: false,
          retries: 0,
          stale: this.#opts.lockStaleMs,
          // The default throws from a timer and kills the process; a store must not do that.
          onCompromised: (err) =>
            this.#opts.logger.warn({ dir: this.dir, err: err.message }, 'room store lock lost'),
        });
      } catch (err) {
        if (format.errorCode(err) !== 'ELOCKED') throw err;
        if (Date.now() >= deadline) {
          throw new Error(`lock busy for more than ${this.#opts.lockTimeoutMs} ms`, { cause: err });
        }
        // Jitter keeps competing processes from retrying in lockstep.
        await delay(wait * (0.5 + Math.random()));
      }
    }
  }

  async #guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw closedError();
    try {
      return await fn();
    } catch (err) {
      throw this.#failure(op, err);
    }
  }

  /** Logs an I/O or lock failure and turns it into the error callers see; the process carries on. */
  #failure(op: string, err: unknown): GatewayError {
    if (err instanceof GatewayError) return err;
    this.#opts.logger.warn({ op, dir: this.dir, err: messageOf(err) }, 'room store operation failed');
    return new GatewayError(ErrorCode.Upstream, `room store ${op} failed: ${messageOf(err)}`, { cause: err });
  }

  // ---- files ----

  async #readRoom(room: RoomId): Promise<ConnId[]> {
    const path = join(this.dir, format.roomFileName(room));
    const text = await format.readText(path);
    if (text === undefined) return [];
    const parsed = format.parseRoomFile(text);
    if (parsed === undefined || parsed.room !== room) return this.#corrupted(path, []);
    return parsed.members;
  }

  /** Rooms listed in conn's index. A corrupted index is rebuilt from a scan of every room file. */
  async #readIndex(conn: ConnId): Promise<RoomId[]> {
    const path = join(this.dir, format.indexFileName(conn));
    const text = await format.readText(path);
    if (text === undefined) return [];
    const parsed = format.parseIndexFile(text);
    if (parsed !== undefined && parsed.conn === conn) return parsed.rooms;
    this.#corrupted(path, undefined);
    return (await this.#scanRooms()).filter(({ members }) => members.includes(conn)).map(({ room }) => room);
  }

  /** Every readable non-empty room file. */
  async #scanRooms(): Promise<format.RoomFile[]> {
    const names = (await readdir(this.dir)).filter((name) => format.ROOM_FILE.test(name));
    const found: format.RoomFile[] = [];
    await inParallel(names, async (name) => {
      const path = join(this.dir, name);
      const text = await format.readText(path);
      if (text === undefined) return; // removed since readdir
      const parsed = format.parseRoomFile(text);
      if (parsed === undefined || format.roomFileName(parsed.room) !== name) this.#corrupted(path, undefined);
      else if (parsed.members.length > 0) found.push(parsed);
    });
    return found;
  }

  #corrupted<T>(path: string, fallback: T): T {
    if (!this.#reported.has(path)) {
      this.#reported.add(path);
      this.#opts.logger.warn({ file: path }, 'room store file is corrupted; ignoring its contents');
    }
    return fallback;
  }

  async #writeRoom(room: RoomId, members: ConnId[]): Promise<void> {
    const path = join(this.dir, format.roomFileName(room));
    await this.#writeJson(path, members.length === 0 ? undefined : { room, members });
  }

  async #writeIndex(conn: ConnId, rooms: RoomId[]): Promise<void> {
    const path = join(this.dir, format.indexFileName(conn));
    await this.#writeJson(path, rooms.length === 0 ? undefined : { conn, rooms });
  }

  /** Replaces path atomically with value as JSON, or removes it when value is undefined. */
  async #writeJson(path: string, value: format.RoomFile | format.IndexFile | undefined): Promise<void> {
    this.#reported.delete(path);
    if (value === undefined) {
      await rm(path, { force: true });
      return;
    }
    const temp = join(this.dir, `${format.TEMP_PREFIX}${process.pid}-${++this.#tempSeq}`);
    try {
      await writeFile(temp, JSON.stringify(value));
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Runs under the lock at open: temp files can only be left by a writer that died, since writers hold the lock. */
  async #tidy(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const data = format.ROOM_FILE.test(name) || format.CONN_FILE.test(name);
      if (name.startsWith(format.TEMP_PREFIX) || (this.#opts.reset && data)) {
        await rm(join(this.dir, name), { force: true });
      }
    }
  }
}

async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLELISM) {
    await Promise.all(items.slice(i, i + PARALLELISM).map(fn));
  }
}

function resolveOptions(options: FileRoomStoreOptions): ResolvedOptions {
  if (typeof options.dir !== 'string' || options.dir.trim() === '') {
    throw new ConfigError('roomStore.dir', 'a directory path is required');
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000;
  if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs <= 0) {
    throw new ConfigError('roomStore.lockTimeoutMs', `must be a positive integer (ms), got ${lockTimeoutMs}`);
  }
  const lockStaleMs = options.lockStaleMs ?? 10_000;
  if (!Number.isInteger(lockStaleMs) || lockStaleMs < 5000) {
    throw new ConfigError(
      'roomStore.lockStaleMs',
      `must be an integer of at least 5000 (ms), got ${lockStaleMs}`,
    );
  }
  return {
    dir: resolve(options.dir),
    reset: options.reset ?? false,
    lockTimeoutMs,
    lockStaleMs,
    logger: options.logger ?? stderrLogger,
  };
}

function closedError(): GatewayError {
  return new GatewayError(ErrorCode.Upstream, 'room store is closed');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
