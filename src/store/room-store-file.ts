/**
 * Room store shared by the worker processes of one machine through a directory: the original's FileFdStore without
 * its defects (no locking, duplicates, ghost ids, raw keys as file names, hard-coded directory).
 *
 * Layout of `dir`:
 *   r-<sha256>.json   one per non-empty room: {"room": "<exact key>", "members": [1, 2, 3]}. The name is the SHA-256
 *                     (hex) of the key's UTF-16 code units: fixed length, lower-case, never a path, and lossless even
 *                     for lone surrogates. The key itself is kept inside, which also detects misplaced files.
 *   c-<connId>.json   one per connection in at least one room: {"conn": 7, "rooms": ["room1"]}. The reverse index
 *                     that makes roomsOf/removeConnection O(rooms of the connection) instead of a scan of every room.
 *   .lock             proper-lockfile's lock directory (one lock for the whole store, see below).
 *   .tmp-*            files being written; each write goes to a temp file in the same directory and is renamed over
 *                     the target, so a reader sees either the old or the new contents, never a torn file.
 *
 * Locking: every write holds ONE store-wide lock. add/remove touch a room file and a connection file, and
 * removeConnection several rooms; per-file locks would need a global lock order to avoid deadlock between processes,
 * for little gain on a store whose writes take well under a millisecond. proper-lockfile uses mkdir (atomic on every
 * file system) and refreshes the lock's mtime, so a lock left by a killed process is taken over once it is stale.
 * Inside one process, operations queue and run in batches under one acquisition, so a burst costs one lock.
 * Reads take no lock: renames are atomic, and room files are the source of truth (the reverse index may hold a room
 * the connection already left after a crash between two writes, so roomsOf checks each listed room file).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { ConfigError, ErrorCode, GatewayError } from '../errors.js';
import type { ConnId, RoomId } from '../types.js';
import { assertConnId, stderrLogger, type RoomStore, type RoomStoreLogger } from './room-store.js';

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
  /** Receives warnings (corrupted files, lock trouble). Default: one line on stderr. */
  logger?: RoomStoreLogger;
}

type ResolvedOptions = Required<FileRoomStoreOptions>;

interface Job {
  run(): Promise<void>;
  fail(err: GatewayError): void;
}

const ROOM_FILE = /^r-[0-9a-f]{64}\.json$/;
const CONN_FILE = /^c-\d+\.json$/;
const TEMP_PREFIX = '.tmp-';
const LOCK_NAME = '.lock';
/** Operations run under one lock acquisition at most; bounds how long other processes wait. */
const MAX_BATCH = 256;
/** Files read in parallel when scanning the directory; keeps clear of the open-files limit. */
const READ_PARALLELISM = 32;

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
    await store.#exclusive('open', () => store.#tidy());
    return store;
  }

  async add(room: RoomId, conn: ConnId): Promise<boolean> {
    assertConnId(conn);
    return this.#exclusive('add', async () => {
      const members = await this.#readRoom(room);
      if (members.includes(conn)) return false;
      // Index first: after a crash between the two writes it lists one room too many, which readers filter out.
      const rooms = await this.#readIndex(conn);
      if (!rooms.includes(room)) await this.#writeIndex(conn, [...rooms, room]);
      await this.#writeRoom(room, [...members, conn]);
      return true;
    });
  }

  async remove(room: RoomId, conn: ConnId): Promise<boolean> {
    assertConnId(conn);
    return this.#exclusive('remove', async () => {
      const members = await this.#readRoom(room);
      if (!members.includes(conn)) return false;
      await this.#writeRoom(
        room,
        members.filter((m) => m !== conn),
      );
      const rooms = await this.#readIndex(conn);
      await this.#writeIndex(
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
    return this.#exclusive('removeConnection', async () => {
      const left: RoomId[] = [];
      for (const room of await this.#readIndex(conn)) {
        const members = await this.#readRoom(room);
        if (!members.includes(conn)) continue;
        await this.#writeRoom(
          room,
          members.filter((m) => m !== conn),
        );
        left.push(room);
      }
      await this.#writeIndex(conn, []);
      return left;
    });
  }

  async count(room: RoomId): Promise<number> {
    return (await this.members(room)).length;
  }

  async rooms(): Promise<RoomId[]> {
    return this.#guard('rooms', async () => (await this.#scanRooms()).map(([room]) => room));
  }

  /** Lets queued operations finish; later calls reject. Locks are released after every batch, so none is left. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#draining;
  }

  // ---- serialisation: in-process queue + store-wide file lock ----

  #exclusive<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new GatewayError(ErrorCode.Upstream, 'room store is closed'));
    return new Promise<T>((resolvePromise, rejectPromise) => {
      this.#queue.push({
        run: () =>
          Promise.resolve()
            .then(fn)
            .then(resolvePromise, (err: unknown) => rejectPromise(this.#failure(op, err))),
        fail: rejectPromise,
      });
      this.#draining ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      let release: () => Promise<void>;
      try {
        release = await this.#lock();
      } catch (err) {
        const failure = this.#failure('lock', err);
        for (const job of batch) job.fail(failure);
        continue;
      }
      try {
        for (const job of batch) await job.run();
      } finally {
        await release().catch((err: unknown) =>
          this.#opts.logger.warn({ err: messageOf(err) }, 'room store unlock failed'),
        );
      }
    }
    // Cleared in the same tick as the last emptiness check, so a job queued later always starts a new drain.
    this.#draining = undefined;
  }

  async #lock(): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.#opts.lockTimeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      try {
        return await lockfile.lock(this.dir, {
          lockfilePath: join(this.dir, LOCK_NAME),
          realpath: false,
          retries: 0,
          stale: this.#opts.lockStaleMs,
          // The default throws from a timer and kills the process; a store must not do that.
          onCompromised: (err) => this.#opts.logger.warn({ err: err.message }, 'room store lock compromised'),
        });
      } catch (err) {
        if (codeOf(err) !== 'ELOCKED') throw err;
        if (Date.now() >= deadline) {
          throw new Error(`lock busy for more than ${this.#opts.lockTimeoutMs} ms`, { cause: err });
        }
        // Jitter keeps competing processes from retrying in lockstep.
        await delay(wait * (0.5 + Math.random()));
      }
    }
  }

  async #guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new GatewayError(ErrorCode.Upstream, 'room store is closed');
    try {
      return await fn();
    } catch (err) {
      throw this.#failure(op, err);
    }
  }

  #failure(op: string, err: unknown): GatewayError {
    if (err instanceof GatewayError) return err;
    this.#opts.logger.warn({ op, dir: this.dir, err: messageOf(err) }, 'room store operation failed');
    return new GatewayError(ErrorCode.Upstream, `room store ${op} failed: ${messageOf(err)}`, { cause: err });
  }

  // ---- files ----

  #roomPath(room: RoomId): string {
    return join(this.dir, roomFileName(room));
  }

  #indexPath(conn: ConnId): string {
    return join(this.dir, `c-${conn}.json`);
  }

  async #readRoom(room: RoomId): Promise<ConnId[]> {
    const path = this.#roomPath(room);
    const text = await readText(path);
    if (text === undefined) return [];
    const parsed = parseRoomFile(text);
    if (parsed === undefined || parsed.room !== room) return this.#corrupted(path, []);
    return parsed.members;
  }

  /** Rooms listed in conn's index. A corrupted index is rebuilt from a scan of every room file. */
  async #readIndex(conn: ConnId): Promise<RoomId[]> {
    const path = this.#indexPath(conn);
    const text = await readText(path);
    if (text === undefined) return [];
    const parsed = parseIndexFile(text);
    if (parsed !== undefined && parsed.conn === conn) return parsed.rooms;
    this.#corrupted(path, undefined);
    const rooms = await this.#scanRooms();
    return rooms.filter(([, members]) => members.includes(conn)).map(([room]) => room);
  }

  /** Every readable non-empty room file, as [room, members]. */
  async #scanRooms(): Promise<Array<[RoomId, ConnId[]]>> {
    const names = (await readdir(this.dir)).filter((name) => ROOM_FILE.test(name));
    const found: Array<[RoomId, ConnId[]]> = [];
    for (let i = 0; i < names.length; i += READ_PARALLELISM) {
      const chunk = names.slice(i, i + READ_PARALLELISM);
      const texts = await Promise.all(chunk.map((name) => readText(join(this.dir, name))));
      chunk.forEach((name, j) => {
        const text = texts[j];
        if (text === undefined) return; // removed since readdir
        const parsed = parseRoomFile(text);
        if (parsed === undefined || roomFileName(parsed.room) !== name) {
          this.#corrupted(join(this.dir, name), undefined);
        } else if (parsed.members.length > 0) {
          found.push([parsed.room, parsed.members]);
        }
      });
    }
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
    await this.#writeJson(this.#roomPath(room), members.length === 0 ? undefined : { room, members });
  }

  async #writeIndex(conn: ConnId, rooms: RoomId[]): Promise<void> {
    await this.#writeJson(this.#indexPath(conn), rooms.length === 0 ? undefined : { conn, rooms });
  }

  /** Replaces path atomically with value as JSON, or removes it when value is undefined (an empty room has no file). */
  async #writeJson(path: string, value: object | undefined): Promise<void> {
    this.#reported.delete(path);
    if (value === undefined) {
      await rm(path, { force: true });
      return;
    }
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${++this.#tempSeq}`);
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
      const data = ROOM_FILE.test(name) || CONN_FILE.test(name);
      if (name.startsWith(TEMP_PREFIX) || (this.#opts.reset && data))
        await rm(join(this.dir, name), { force: true });
    }
  }
}

/** The file name of a room: never derived from the raw key (no traversal, no case folding, no reserved names). */
function roomFileName(room: RoomId): string {
  return `r-${createHash('sha256').update(room, 'utf16le').digest('hex')}.json`;
}

function parseRoomFile(text: string): { room: RoomId; members: ConnId[] } | undefined {
  const value = parseJson(text);
  if (!isRecord(value) || typeof value.room !== 'string' || !Array.isArray(value.members)) return undefined;
  const members: unknown[] = value.members;
  if (!members.every((m): m is ConnId => Number.isSafeInteger(m) && (m as number) >= 0)) return undefined;
  return { room: value.room, members: [...new Set(members)] };
}

function parseIndexFile(text: string): { conn: ConnId; rooms: RoomId[] } | undefined {
  const value = parseJson(text);
  if (!isRecord(value) || typeof value.conn !== 'number' || !Array.isArray(value.rooms)) return undefined;
  const rooms: unknown[] = value.rooms;
  if (!rooms.every((r): r is RoomId => typeof r === 'string')) return undefined;
  return { conn: value.conn, rooms: [...new Set(rooms)] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return undefined;
    throw err;
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

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
