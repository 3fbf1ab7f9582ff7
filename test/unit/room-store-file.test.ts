import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, ErrorCode, GatewayError } from '../../src/errors.js';
import { FileRoomStore, type FileRoomStoreOptions } from '../../src/file/room-store-file.js';
import { openRoomStore, type RoomStoreOptions } from '../../src/platform/backends.js';
import { MemoryRoomStore, type RoomStoreLogger } from '../../src/store/index.js';
import { HOSTILE_ROOM_KEYS, roomStoreConformance } from '../support/room-store-conformance.js';

const WORKER = fileURLToPath(new URL('../support/room-store-file-worker.ts', import.meta.url));
const STORE_FILE = /^(r-[0-9a-f]{64}|c-\d+)\.json$/;

/** Collects warnings instead of printing them, so tests can assert on them. */
function recordingLogger(): RoomStoreLogger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (_details, message) => void messages.push(message) };
}

const parents: string[] = [];
async function tempParent(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'tars-ws-rooms-'));
  parents.push(parent);
  return parent;
}
after(async () => {
  await Promise.all(parents.map((p) => rm(p, { recursive: true, force: true })));
});

roomStoreConformance('file', async () => {
  const parent = await tempParent();
  const store = await FileRoomStore.open({ dir: join(parent, 'rooms'), logger: recordingLogger() });
  return { store, cleanup: () => rm(parent, { recursive: true, force: true }) };
});

describe('FileRoomStore', () => {
  let parent: string;
  let dir: string;
  const open: FileRoomStore[] = [];
  async function openStore(options: Partial<FileRoomStoreOptions> = {}): Promise<FileRoomStore> {
    const store = await FileRoomStore.open({ dir, logger: recordingLogger(), ...options });
    open.push(store);
    return store;
  }

  beforeEach(async () => {
    parent = await tempParent();
    dir = join(parent, 'rooms');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  describe('directory', () => {
    it('creates a missing directory, parents included', async () => {
      dir = join(parent, 'a', 'b', 'rooms');
      await openStore();
      assert.deepEqual(await readdir(join(parent, 'a', 'b')), ['rooms']);
    });

    it('refuses a path that is a file, naming the config key', async () => {
      await writeFile(join(parent, 'file'), '');
      await assert.rejects(
        FileRoomStore.open({ dir: join(parent, 'file') }),
        (err: unknown) => err instanceof ConfigError && err.key === 'roomStore.dir',
      );
    });

    it('refuses an empty directory path and a lock stale time under 5 s', async () => {
      await assert.rejects(FileRoomStore.open({ dir: '' }), ConfigError);
      await assert.rejects(FileRoomStore.open({ dir, lockStaleMs: 1000 }), ConfigError);
    });

    it('never writes outside its directory, whatever the room keys', async () => {
      const store = await openStore();
      for (const [i, room] of HOSTILE_ROOM_KEYS.entries()) await store.add(room, i);
      await store.close(); // waits for queued operations (none here: each resolved once its batch unlocked)
      assert.deepEqual(await readdir(parent), ['rooms']);
      const names = await readdir(dir);
      assert.deepEqual(
        names.filter((name) => !STORE_FILE.test(name)),
        [],
      );
      assert.equal(names.length, HOSTILE_ROOM_KEYS.length * 2); // one room file and one connection file each
    });

    it('keeps rooms differing only in case in different files', async () => {
      const store = await openStore();
      await store.add('room1', 1);
      await store.add('ROOM1', 2);
      const roomFiles = (await readdir(dir)).filter((name) => name.startsWith('r-'));
      assert.equal(new Set(roomFiles.map((name) => name.toLowerCase())).size, 2);
    });
  });

  describe('files', () => {
    it('writes a room as JSON with its exact key and members', async () => {
      const store = await openStore();
      await store.add('../x', 1);
      await store.add('../x', 2);
      const [name] = (await readdir(dir)).filter((n) => n.startsWith('r-'));
      assert.ok(name);
      assert.deepEqual(JSON.parse(await readFile(join(dir, name), 'utf8')), {
        room: '../x',
        members: [1, 2],
      });
    });

    it('deletes the files of an emptied room and of a connection in no room', async () => {
      const store = await openStore();
      await store.add('room1', 1);
      await store.add('room2', 1);
      await store.remove('room1', 1);
      await store.removeConnection(1);
      await store.close();
      assert.deepEqual(await readdir(dir), []);
    });

    it('treats a corrupted room file as empty, logs a warning, and recovers on the next write', async () => {
      const logger = recordingLogger();
      const store = await openStore({ logger });
      await store.add('room1', 1);
      const [name] = (await readdir(dir)).filter((n) => n.startsWith('r-'));
      assert.ok(name);
      for (const garbage of [
        '{"room":"room1","members":[1,',
        '{"room":"room1","members":["1"]}',
        '',
        'null',
      ]) {
        await writeFile(join(dir, name), garbage);
        assert.deepEqual(await store.members('room1'), []);
        assert.deepEqual(await store.rooms(), []);
      }
      assert.ok(logger.messages.some((m) => m.includes('corrupted')));
      assert.equal(await store.add('room1', 2), true);
      assert.deepEqual(await store.members('room1'), [2]);
    });

    it('ignores a room file holding another room (a copied or renamed file)', async () => {
      const store = await openStore();
      await store.add('room1', 1);
      const [name] = (await readdir(dir)).filter((n) => n.startsWith('r-'));
      assert.ok(name);
      await writeFile(join(dir, name), JSON.stringify({ room: 'room2', members: [1] }));
      assert.deepEqual(await store.members('room1'), []);
      assert.deepEqual(await store.members('room2'), []);
    });

    it('rebuilds a corrupted connection index from the room files', async () => {
      const logger = recordingLogger();
      const store = await openStore({ logger });
      await store.add('room1', 1);
      await store.add('room2', 1);
      await writeFile(join(dir, 'c-1.json'), 'not json');
      assert.deepEqual((await store.roomsOf(1)).sort(), ['room1', 'room2']);
      assert.deepEqual((await store.removeConnection(1)).sort(), ['room1', 'room2']);
      assert.deepEqual(await store.rooms(), []);
      assert.ok(logger.messages.some((m) => m.includes('corrupted')));
    });

    it('ignores a room an index still lists after the connection left it (a crash between two writes)', async () => {
      const store = await openStore();
      await store.add('room1', 1);
      await store.add('room2', 2);
      await writeFile(join(dir, 'c-1.json'), JSON.stringify({ conn: 1, rooms: ['room1', 'room2', 'gone'] }));
      assert.deepEqual(await store.roomsOf(1), ['room1']);
      assert.deepEqual(await store.removeConnection(1), ['room1']);
      assert.deepEqual(await store.members('room2'), [2]);
    });

    it('reads a member listed twice in a hand-edited file once', async () => {
      const store = await openStore();
      await store.add('room1', 1);
      const [name] = (await readdir(dir)).filter((n) => n.startsWith('r-'));
      assert.ok(name);
      await writeFile(join(dir, name), JSON.stringify({ room: 'room1', members: [1, 2, 1] }));
      assert.deepEqual(await store.members('room1'), [1, 2]);
      assert.equal(await store.remove('room1', 1), true);
      assert.deepEqual(await store.members('room1'), [2]);
    });

    it('removes temp files left by an interrupted write when it opens', async () => {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, '.tmp-99999-1'), '{"room":');
      await (await openStore()).close();
      assert.deepEqual(await readdir(dir), []);
    });

    it('keeps data of an earlier run, and drops it when opened with reset', async () => {
      const first = await openStore();
      await first.add('room1', 1);
      await first.close();
      assert.deepEqual(await (await openStore()).members('room1'), [1]);
      const reset = await openStore({ reset: true });
      assert.deepEqual(await reset.rooms(), []);
      assert.deepEqual(await reset.roomsOf(1), []);
    });
  });

  describe('openRoomStore', () => {
    it('opens a file store from options', async () => {
      const store = await openRoomStore({ type: 'file', dir, logger: recordingLogger() });
      try {
        assert.ok(store instanceof FileRoomStore);
        assert.equal(store.dir, dir);
      } finally {
        await store.close();
      }
    });

    it('opens a memory store by default and refuses an unknown type, naming the key', async () => {
      const store = await openRoomStore();
      assert.ok(store instanceof MemoryRoomStore);
      await store.close();
      await assert.rejects(
        openRoomStore(JSON.parse('{"type":"redis"}') as RoomStoreOptions),
        (err: unknown) => err instanceof ConfigError && err.key === 'roomStore.type',
      );
    });
  });

  describe('locking', () => {
    it('shares rooms between two stores on the same directory', async () => {
      const a = await openStore();
      const b = await openStore();
      await Promise.all([a.add('room1', 1), b.add('room1', 2), a.add('room2', 3)]);
      assert.deepEqual((await b.members('room1')).sort(), [1, 2]);
      assert.deepEqual(await b.removeConnection(3), ['room2']);
      assert.deepEqual(await a.rooms(), ['room1']);
    });

    it('loses no update when several processes add to the same room at once', async () => {
      const perProcess = 60;
      const processes = 3;
      await openStore(); // creates the directory before the children race
      const children = Array.from({ length: processes }, (_, i) =>
        spawn(
          process.execPath,
          ['--import', 'tsx', WORKER, dir, 'room1', String(i * perProcess + 1), String(perProcess)],
          {
            stdio: ['pipe', 'pipe', 'inherit'],
          },
        ),
      );
      const lines = children.map((child) => createInterface({ input: child.stdout })[Symbol.asyncIterator]());
      const exits = children.map((child) => once(child, 'exit'));
      for (const line of lines) assert.equal((await line.next()).value, 'ready');
      for (const child of children) child.stdin.end('go\n');
      for (const exit of exits) assert.deepEqual(await exit, [0, null]);
      const store = await openStore();
      const expected = Array.from({ length: processes * perProcess }, (_, i) => i + 1);
      assert.deepEqual(
        (await store.members('room1')).sort((a, b) => a - b),
        expected,
      );
    });

    it('answers an operation only once its lock is released, so a process killed on an answer leaves none', async () => {
      const store = await openStore();
      const lock = join(dir, '.lock');
      // Checked synchronously on each answer, as a cluster worker may be killed right after its client saw one. The
      // unlock runs on libuv's thread pool, so an answer given before it finds the lock only some of the time (about
      // half here): many rounds make that show.
      const held: string[] = [];
      for (let round = 0; round < 30; round++) {
        assert.equal(await store.add('room1', round), true);
        if (existsSync(lock)) held.push(`add ${round}`);
        assert.equal(await store.remove('room1', round), true);
        if (existsSync(lock)) held.push(`remove ${round}`);
        await store.add('room2', round);
        assert.deepEqual(await store.removeConnection(round), ['room2']);
        if (existsSync(lock)) held.push(`removeConnection ${round}`);
        // Several operations in one batch.
        const twice = await Promise.all([store.add('room3', round), store.add('room3', round)]);
        assert.deepEqual(twice, [true, false]);
        if (existsSync(lock)) held.push(`batch ${round}`);
      }
      assert.deepEqual(held, [], 'the lock was still held when these operations answered');
    });

    it('takes over a lock left by a dead process once it is stale', async () => {
      await mkdir(join(dir, '.lock'), { recursive: true });
      const longAgo = new Date(Date.now() - 60_000);
      await utimes(join(dir, '.lock'), longAgo, longAgo);
      const store = await openStore();
      assert.equal(await store.add('room1', 1), true);
    });

    it('fails with UPSTREAM_ERROR, without crashing, when the lock stays busy', async () => {
      const store = await openStore({ lockTimeoutMs: 100 });
      await mkdir(join(dir, '.lock')); // a live holder: fresh mtime
      await assert.rejects(
        store.add('room1', 1),
        (err: unknown) => err instanceof GatewayError && err.code === ErrorCode.Upstream,
      );
      await rm(join(dir, '.lock'), { recursive: true });
      assert.equal(await store.add('room1', 1), true);
    });

    it('rejects operations after close', async () => {
      const store = await openStore();
      await store.close();
      await assert.rejects(store.add('room1', 1), GatewayError);
      await assert.rejects(store.members('room1'), GatewayError);
    });
  });
});
