/**
 * The behaviour every RoomStore must have, as one suite that each implementation's test file runs:
 * `roomStoreConformance('memory', async () => ({ store: new MemoryRoomStore(), cleanup: async () => {} }))`.
 * The suite closes the store after each test, then calls cleanup (e.g. to remove a temp directory).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RoomStore } from '../../src/store/room-store.js';

/** A fresh, empty store and what frees it beyond `store.close()`. */
export interface RoomStoreFixture {
  store: RoomStore;
  cleanup(): Promise<void>;
}

/** Room keys that must be stored exactly and kept apart, whatever the backend does with them. */
export const HOSTILE_ROOM_KEYS: readonly string[] = [
  '../../etc/passwd',
  '..',
  '.',
  'a/b',
  'a\\b',
  '/absolute',
  'C:\\Windows',
  '',
  ' ',
  'CON',
  'con',
  'NUL.txt',
  'room1',
  'ROOM1',
  'r-0000.json',
  '.lock',
  'a'.repeat(128),
  '\u{1F600}'.repeat(128), // 128 characters, 512 bytes of UTF-8
  'caf\u00e9', // NFC
  'cafe\u0301', // NFD: looks the same, is a different key
  '房间一',
  'غرفة',
  'with\nnewline',
  'nul\u0000byte',
  '{"room":"x"}',
  '|',
];

const sorted = <T extends string | number>(values: T[]): T[] =>
  [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Registers the conformance tests for one RoomStore implementation under `describe(name)`. */
export function roomStoreConformance(name: string, make: () => Promise<RoomStoreFixture>): void {
  describe(`RoomStore conformance: ${name}`, () => {
    let fixture: RoomStoreFixture;
    let store: RoomStore;

    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });

    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
    });

    describe('add', () => {
      it('adds a connection to a room and reports it as new', async () => {
        assert.equal(await store.add('room1', 1), true);
        assert.deepEqual(await store.members('room1'), [1]);
      });

      it('reports false and keeps one copy when the connection is already in the room', async () => {
        await store.add('room1', 1);
        assert.equal(await store.add('room1', 1), false);
        assert.deepEqual(await store.members('room1'), [1]);
        assert.equal(await store.count('room1'), 1);
      });

      it('keeps rooms apart', async () => {
        await store.add('room1', 1);
        await store.add('room2', 2);
        assert.deepEqual(await store.members('room1'), [1]);
        assert.deepEqual(await store.members('room2'), [2]);
      });

      it('accepts connection id 0', async () => {
        assert.equal(await store.add('room1', 0), true);
        assert.deepEqual(await store.members('room1'), [0]);
      });

      it('rejects connection ids that are not non-negative safe integers', async () => {
        for (const bad of [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
          await assert.rejects(store.add('room1', bad), TypeError);
        }
        assert.deepEqual(await store.members('room1'), []);
      });
    });

    describe('remove', () => {
      it('removes a member and reports true', async () => {
        await store.add('room1', 1);
        await store.add('room1', 2);
        assert.equal(await store.remove('room1', 1), true);
        assert.deepEqual(await store.members('room1'), [2]);
        assert.deepEqual(await store.roomsOf(1), []);
      });

      it('reports false for a connection that is not a member', async () => {
        await store.add('room1', 1);
        assert.equal(await store.remove('room1', 2), false);
        assert.deepEqual(await store.members('room1'), [1]);
      });

      it('reports false for an unknown room', async () => {
        assert.equal(await store.remove('nowhere', 1), false);
      });

      it('reports false the second time the same member is removed', async () => {
        await store.add('room1', 1);
        assert.equal(await store.remove('room1', 1), true);
        assert.equal(await store.remove('room1', 1), false);
      });

      it('makes an emptied room disappear, with no empty or ghost member left', async () => {
        await store.add('room1', 1);
        await store.remove('room1', 1);
        assert.deepEqual(await store.members('room1'), []);
        assert.equal(await store.count('room1'), 0);
        assert.deepEqual(await store.rooms(), []);
      });

      it('lets an emptied room be filled again', async () => {
        await store.add('room1', 1);
        await store.remove('room1', 1);
        assert.equal(await store.add('room1', 1), true);
        assert.deepEqual(await store.members('room1'), [1]);
      });
    });

    describe('queries', () => {
      it('returns no members and a count of 0 for an unknown room', async () => {
        assert.deepEqual(await store.members('nowhere'), []);
        assert.equal(await store.count('nowhere'), 0);
      });

      it('counts members', async () => {
        await store.add('room1', 1);
        await store.add('room1', 2);
        await store.add('room1', 3);
        assert.equal(await store.count('room1'), 3);
      });

      it('lists every non-empty room', async () => {
        await store.add('room1', 1);
        await store.add('room2', 1);
        await store.add('room3', 2);
        await store.remove('room3', 2);
        assert.deepEqual(sorted(await store.rooms()), ['room1', 'room2']);
      });

      it('lists the rooms of a connection, and none for an unknown connection', async () => {
        await store.add('room1', 1);
        await store.add('room2', 1);
        await store.add('room2', 2);
        assert.deepEqual(sorted(await store.roomsOf(1)), ['room1', 'room2']);
        assert.deepEqual(await store.roomsOf(2), ['room2']);
        assert.deepEqual(await store.roomsOf(99), []);
      });

      it('hands out arrays the caller may change without changing the store', async () => {
        await store.add('room1', 1);
        (await store.members('room1')).push(42);
        (await store.roomsOf(1)).push('other');
        (await store.rooms()).push('other');
        assert.deepEqual(await store.members('room1'), [1]);
        assert.deepEqual(await store.roomsOf(1), ['room1']);
        assert.deepEqual(await store.rooms(), ['room1']);
      });
    });

    describe('removeConnection', () => {
      it('removes the connection from every room and returns the rooms it left', async () => {
        await store.add('room1', 1);
        await store.add('room2', 1);
        await store.add('room2', 2);
        assert.deepEqual(sorted(await store.removeConnection(1)), ['room1', 'room2']);
        assert.deepEqual(await store.roomsOf(1), []);
        assert.deepEqual(await store.members('room1'), []);
        assert.deepEqual(await store.members('room2'), [2]);
        assert.deepEqual(await store.rooms(), ['room2']);
      });

      it('returns no rooms for a connection in none', async () => {
        assert.deepEqual(await store.removeConnection(7), []);
      });

      it('does not return rooms the connection already left', async () => {
        await store.add('room1', 1);
        await store.add('room2', 1);
        await store.remove('room1', 1);
        assert.deepEqual(await store.removeConnection(1), ['room2']);
      });

      it('leaves nothing behind, so the same id can be reused cleanly', async () => {
        await store.add('room1', 1);
        await store.removeConnection(1);
        assert.equal(await store.add('room2', 1), true);
        assert.deepEqual(await store.roomsOf(1), ['room2']);
        assert.deepEqual(await store.rooms(), ['room2']);
      });
    });

    describe('room keys', () => {
      it('stores hostile and unusual keys under their exact key, each apart from the others', async () => {
        for (const [i, room] of HOSTILE_ROOM_KEYS.entries())
          assert.equal(await store.add(room, i), true, room);
        for (const [i, room] of HOSTILE_ROOM_KEYS.entries())
          assert.deepEqual(await store.members(room), [i], room);
        assert.deepEqual(sorted(await store.rooms()), sorted([...HOSTILE_ROOM_KEYS]));
        for (const [i, room] of HOSTILE_ROOM_KEYS.entries()) assert.deepEqual(await store.roomsOf(i), [room]);
      });

      it('treats keys differing only in case as different rooms', async () => {
        await store.add('room1', 1);
        await store.add('ROOM1', 2);
        assert.deepEqual(await store.members('room1'), [1]);
        assert.deepEqual(await store.members('ROOM1'), [2]);
      });

      it('removes hostile keys cleanly', async () => {
        for (const [i, room] of HOSTILE_ROOM_KEYS.entries()) await store.add(room, i);
        for (const [i, room] of HOSTILE_ROOM_KEYS.entries())
          assert.equal(await store.remove(room, i), true, room);
        assert.deepEqual(await store.rooms(), []);
      });
    });

    describe('scale and concurrency', () => {
      it('holds many connections in one room and one connection in many rooms', async () => {
        const conns = Array.from({ length: 300 }, (_, i) => i + 1);
        const rooms = Array.from({ length: 50 }, (_, i) => `room-${i}`);
        for (const conn of conns) await store.add('big', conn);
        for (const room of rooms) await store.add(room, 1);
        assert.deepEqual(sorted(await store.members('big')), conns);
        assert.deepEqual(sorted(await store.roomsOf(1)), sorted([...rooms, 'big']));
        assert.equal((await store.removeConnection(1)).length, rooms.length + 1);
        assert.equal(await store.count('big'), conns.length - 1);
      });

      it('loses no update when many adds to the same room run at once', async () => {
        const conns = Array.from({ length: 200 }, (_, i) => i + 1);
        const results = await Promise.all(conns.map((conn) => store.add('room1', conn)));
        assert.ok(results.every((added) => added));
        assert.deepEqual(sorted(await store.members('room1')), conns);
      });

      it('reports exactly one of several simultaneous adds of the same member as new', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => store.add('room1', 1)));
        assert.equal(results.filter((added) => added).length, 1);
        assert.deepEqual(await store.members('room1'), [1]);
      });

      it('ends in the expected state when adds, removes and a removeConnection run at once', async () => {
        const conns = Array.from({ length: 100 }, (_, i) => i + 1);
        await Promise.all(conns.map((conn) => store.add('room1', conn)));
        const odd = conns.filter((conn) => conn % 2 === 1);
        const others = conns.filter((conn) => conn !== 100);
        await Promise.all([
          ...odd.map((conn) => store.remove('room1', conn)),
          ...others.map((conn) => store.add('room2', conn)),
          store.removeConnection(100),
        ]);
        assert.deepEqual(
          sorted(await store.members('room1')),
          conns.filter((conn) => conn % 2 === 0 && conn !== 100),
        );
        assert.deepEqual(sorted(await store.members('room2')), others);
        assert.deepEqual(await store.roomsOf(100), []);
        assert.deepEqual(await store.roomsOf(1), ['room2']);
      });
    });
  });
}
