/**
 * The behaviour every HistoryStore must have, as one suite each implementation's test file runs:
 * `historyStoreConformance('memory', async () => ({ store, lose, cleanup }))`. The suite closes the stores after
 * each test, then calls cleanup. TTLs are short and waited for with `eventually` (a deadline, not a sleep).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AppendOptions, HistoryStore, PublicationInput } from '../../src/history/history-store.js';
import { eventually } from './eventually.js';

/** A fresh store, and what the suite needs from its backend. */
export interface HistoryStoreFixture {
  store: HistoryStore;
  /** A second store on the same backend (another node or worker); absent for a backend of one process. */
  peer?: HistoryStore;
  /** Makes the backend lose the channel's whole stream, as an eviction or a Redis restarted empty does. */
  lose(channel: string): Promise<void>;
  cleanup(): Promise<void>;
}

const keep: AppendOptions = { size: 100, ttlMs: 60_000 };
const text = (n: number): PublicationInput => ({ data: JSON.stringify({ n }), json: true });
const offsets = (pubs: { offset: number }[]): number[] => pubs.map((p) => p.offset);

/** Channel names a backend must keep exact and apart (key syntax, hash tags, separators). */
const HOSTILE_CHANNELS = [
  'chat:index',
  '{tag}',
  'a}b{c',
  'with space',
  '房间',
  'x:s',
  'x',
  '$a#b/c',
  'a'.repeat(200),
];

export function historyStoreConformance(name: string, make: () => Promise<HistoryStoreFixture>): void {
  describe(`HistoryStore conformance: ${name}`, () => {
    let fixture: HistoryStoreFixture;
    let store: HistoryStore;

    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });
    afterEach(async () => {
      await store.close();
      await fixture.peer?.close();
      await fixture.cleanup();
    });

    it('numbers publications 1, 2, 3 within one epoch', async () => {
      const results = [];
      for (let n = 0; n < 3; n++) results.push(await store.append('ch', text(n), keep));
      assert.deepEqual(offsets(results), [1, 2, 3]);
      assert.equal(new Set(results.map((r) => r.epoch)).size, 1);
      assert.equal(results[0]!.duplicate ?? false, false);
    });

    it('gives an empty channel a position (offset 0) whose epoch the first publication keeps', async () => {
      const before = await store.position('ch');
      assert.equal(before.offset, 0);
      assert.ok(before.epoch.length > 0);
      assert.deepEqual(await store.append('ch', text(1), keep), { offset: 1, epoch: before.epoch });
      assert.deepEqual(await store.position('ch'), { offset: 1, epoch: before.epoch });
    });

    it('numbers concurrent publications without gaps or repeats', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, n) => store.append('ch', text(n), keep)),
      );
      assert.deepEqual(
        offsets(results).sort((a, b) => a - b),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    });

    it('returns publications in order with data, json flag, publisher info and tags as stored', async () => {
      const info = { user: 'u1', client: 'c1', connInfo: { name: 'Ann' }, chanInfo: ['x'] };
      await store.append('ch', { data: '{"a":1}', json: true, info, tags: { k: 'v' } }, keep);
      await store.append('ch', { data: 'AAEC', json: false }, keep);
      const read = await store.read('ch');
      assert.deepEqual(read.publications, [
        { offset: 1, data: '{"a":1}', json: true, info, tags: { k: 'v' } },
        { offset: 2, data: 'AAEC', json: false },
      ]);
      assert.equal(read.offset, 2);
    });

    it('with limit 0 returns only the position, with limit n the first n, with -1 every one', async () => {
      for (let n = 0; n < 5; n++) await store.append('ch', text(n), keep);
      const zero = await store.read('ch', { limit: 0 });
      assert.deepEqual(zero.publications, []);
      assert.equal(zero.offset, 5);
      assert.deepEqual(offsets((await store.read('ch', { limit: 2 })).publications), [1, 2]);
      assert.deepEqual(offsets((await store.read('ch', { limit: -1 })).publications), [1, 2, 3, 4, 5]);
    });

    it('with since returns only the later publications, none when since is the top', async () => {
      const { epoch } = await store.append('ch', text(0), keep);
      for (let n = 1; n < 5; n++) await store.append('ch', text(n), keep);
      assert.deepEqual(
        offsets((await store.read('ch', { since: { offset: 2, epoch } })).publications),
        [3, 4, 5],
      );
      assert.deepEqual(
        offsets((await store.read('ch', { since: { offset: 2, epoch }, limit: 1 })).publications),
        [3],
      );
      assert.deepEqual((await store.read('ch', { since: { offset: 5, epoch } })).publications, []);
    });

    it('with reverse returns the newest first, and before since when given', async () => {
      const { epoch } = await store.append('ch', text(0), keep);
      for (let n = 1; n < 5; n++) await store.append('ch', text(n), keep);
      assert.deepEqual(offsets((await store.read('ch', { reverse: true })).publications), [5, 4, 3, 2, 1]);
      assert.deepEqual(offsets((await store.read('ch', { reverse: true, limit: 2 })).publications), [5, 4]);
      const before4 = await store.read('ch', { reverse: true, since: { offset: 4, epoch }, limit: 2 });
      assert.deepEqual(offsets(before4.publications), [3, 2]);
    });

    it('keeps only the last `size` publications while offsets keep growing', async () => {
      for (let n = 0; n < 10; n++) await store.append('ch', text(n), { size: 3, ttlMs: 60_000 });
      const read = await store.read('ch');
      assert.deepEqual(offsets(read.publications), [8, 9, 10]);
      assert.equal(read.publications[0]!.data, JSON.stringify({ n: 7 }));
      assert.equal(read.offset, 10);
    });

    it('drops the publications ttlMs after the last publish, keeping the position and epoch', async () => {
      const first = await store.append('ch', text(0), { size: 10, ttlMs: 150 });
      await store.append('ch', text(1), { size: 10, ttlMs: 150 });
      await eventually(
        () => store.read('ch'),
        (r) => r.publications.length === 0,
        {
          withinMs: 5000,
          what: 'publications expired',
        },
      );
      assert.deepEqual(await store.position('ch'), { offset: 2, epoch: first.epoch });
      assert.deepEqual(await store.append('ch', text(2), keep), { offset: 3, epoch: first.epoch });
    });

    it('starts a new epoch at offset 1 when the stream was lost', async () => {
      const old = await store.append('ch', text(0), keep);
      await store.append('ch', text(1), keep);
      await fixture.lose('ch');
      const after = await store.append('ch', text(2), keep);
      assert.equal(after.offset, 1);
      assert.notEqual(after.epoch, old.epoch);
      assert.deepEqual(offsets((await store.read('ch')).publications), [1]);
    });

    it('stores a publication once per idempotency key within the window, answering the first result', async () => {
      const first = await store.append('ch', { ...text(0), idempotencyKey: 'k1' }, keep);
      const again = await store.append('ch', { ...text(9), idempotencyKey: 'k1' }, keep);
      assert.deepEqual(again, { ...first, duplicate: true });
      const other = await store.append('ch', { ...text(1), idempotencyKey: 'k2' }, keep);
      assert.equal(other.offset, 2);
      assert.deepEqual(offsets((await store.read('ch')).publications), [1, 2]);
      assert.equal((await store.read('ch')).publications[0]!.data, JSON.stringify({ n: 0 }));
    });

    it('stores a publication again once its idempotency window passed', async () => {
      const opts = { ...keep, idempotencyWindowMs: 100 };
      await store.append('ch', { ...text(0), idempotencyKey: 'k' }, opts);
      const later = await eventually(
        () => store.append('ch', { ...text(1), idempotencyKey: 'k' }, opts),
        (r) => r.duplicate !== true,
        { withinMs: 5000, what: 'idempotency key forgotten' },
      );
      assert.equal(later.offset, 2);
    });

    it('removes the publications but keeps the position, so offsets keep growing', async () => {
      const { epoch } = await store.append('ch', text(0), keep);
      await store.append('ch', text(1), keep);
      await store.remove('ch');
      const read = await store.read('ch');
      assert.deepEqual(read.publications, []);
      assert.deepEqual({ offset: read.offset, epoch: read.epoch }, { offset: 2, epoch });
      assert.equal((await store.append('ch', text(2), keep)).offset, 3);
      await store.remove('never-used');
    });

    it('keeps channels apart, whatever their names', async () => {
      for (const [i, ch] of HOSTILE_CHANNELS.entries()) {
        for (let n = 0; n <= i; n++) await store.append(ch, text(n), keep);
      }
      for (const [i, ch] of HOSTILE_CHANNELS.entries()) {
        const read = await store.read(ch);
        assert.equal(read.offset, i + 1, ch);
        assert.equal(read.publications.length, i + 1, ch);
      }
    });

    it('shares offsets and epoch with another store on the same backend', async (t) => {
      const peer = fixture.peer;
      if (!peer) return t.skip('this backend serves one process only');
      const results = [];
      for (let n = 0; n < 6; n++)
        results.push(await (n % 2 === 0 ? store : peer).append('ch', text(n), keep));
      assert.deepEqual(offsets(results), [1, 2, 3, 4, 5, 6]);
      assert.equal(new Set(results.map((r) => r.epoch)).size, 1);
      assert.deepEqual(offsets((await peer.read('ch')).publications), [1, 2, 3, 4, 5, 6]);
    });

    it('rejects options no backend could honour', async () => {
      await assert.rejects(store.append('ch', text(0), { size: 0, ttlMs: 1000 }), RangeError);
      await assert.rejects(store.append('ch', text(0), { size: 1, ttlMs: 0 }), RangeError);
    });
  });
}
