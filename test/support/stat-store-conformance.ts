/**
 * The behaviour every StatStore must have, as one suite each implementation's test file runs:
 * `statStoreConformance('memory', async () => ({ store: new MemoryStatStore(), cleanup: async () => {} }))`.
 * The suite closes the store after each test, then calls cleanup (e.g. to delete the test's Redis keys).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { StatStore } from '../../src/stats/stat-store.js';

export interface StatStoreFixture {
  store: StatStore;
  cleanup(): Promise<void>;
}

export function statStoreConformance(name: string, open: () => Promise<StatStoreFixture>): void {
  describe(`StatStore conformance: ${name}`, () => {
    let fixture: StatStoreFixture;
    let store: StatStore;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
    });

    it('has nothing under an unknown key', async () => {
      assert.equal(await store.get('none'), undefined);
      assert.deepEqual(await store.getAll('none'), {});
      assert.equal(await store.getField('none', 'count'), undefined);
      assert.equal(await store.exist('none'), false);
      assert.deepEqual(await store.keys(), []);
    });

    it('increments and decrements a field from zero', async () => {
      assert.equal(await store.incrField('k', 'count'), 1);
      assert.equal(await store.incrField('k', 'count', 5), 6);
      assert.equal(await store.decrField('k', 'count', 2), 4);
      assert.equal(await store.decrField('k', 'count'), 3);
      assert.equal(await store.getField('k', 'count'), 3);
      assert.equal(await store.exist('k'), true);
    });

    it('keeps fractional sums exactly enough for milliseconds', async () => {
      await store.incrField('k', 'totalRspTime', 0.25);
      await store.incrField('k', 'totalRspTime', 1.5);
      assert.equal(await store.getField('k', 'totalRspTime'), 1.75);
    });

    it('set replaces the whole hash and get returns it', async () => {
      await store.set('k', { a: 1, b: 2 });
      await store.set('k', { c: 3 });
      assert.deepEqual(await store.get('k'), { c: 3 });
      assert.deepEqual(await store.getAll('k'), { c: 3 });
    });

    it('del removes a key', async () => {
      await store.set('k', { a: 1 });
      await store.del('k');
      assert.equal(await store.exist('k'), false);
      assert.deepEqual(await store.keys(), []);
    });

    it('merge sums ordinary fields, keeps the larger max… and the smaller min… field', async () => {
      await store.merge('k', { count: 2, maxRspTime: 10, minRspTime: 4, b5: 1 });
      await store.merge('k', { count: 3, maxRspTime: 7, minRspTime: 2, b10: 1 });
      await store.merge('k', { count: 1, maxRspTime: 12, minRspTime: 9 });
      assert.deepEqual(await store.getAll('k'), { count: 6, maxRspTime: 12, minRspTime: 2, b5: 1, b10: 1 });
    });

    it('merge into an absent key creates it with the delta', async () => {
      await store.merge('k', { minRspTime: 30, maxRspTime: 30 });
      assert.deepEqual(await store.getAll('k'), { minRspTime: 30, maxRspTime: 30 });
    });

    it('take returns the hash and removes it', async () => {
      await store.merge('k', { count: 2 });
      assert.deepEqual(await store.take('k'), { count: 2 });
      assert.equal(await store.take('k'), undefined);
      assert.equal(await store.exist('k'), false);
    });

    it('lists every key once, whatever characters it holds', async () => {
      const keys = [
        'ws\t0\tsubscribe',
        'http\t200\t/Index/pushAll',
        'tars\t-7\tA.B.C\nf\n127.0.0.1\n1',
        'prop\t房间',
      ];
      for (const k of keys) await store.incrField(k, 'count');
      assert.deepEqual((await store.keys()).sort(), [...keys].sort());
    });

    it('keeps keys apart', async () => {
      await store.incrField('a', 'count', 1);
      await store.incrField('b', 'count', 2);
      assert.equal(await store.getField('a', 'count'), 1);
      assert.equal(await store.getField('b', 'count'), 2);
    });
  });
}
