import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHistoryStore } from '../../src/history/history-store-memory.js';
import { historyStoreConformance } from '../support/history-store-conformance.js';

historyStoreConformance('memory', async () => {
  const store = new MemoryHistoryStore();
  // Past every meta TTL: the stream is forgotten as an idle channel's would be after history_meta_ttl.
  return { store, lose: async () => store.sweep(Number.MAX_SAFE_INTEGER), cleanup: async () => {} };
});

describe('MemoryHistoryStore bounds', () => {
  it('drops the least recently used stream past maxChannels (its epoch restarts)', async () => {
    const store = new MemoryHistoryStore({ maxChannels: 2 });
    const keep = { size: 10, ttlMs: 60_000 };
    try {
      const a = await store.append('a', { data: '1' }, keep);
      await store.append('b', { data: '1' }, keep);
      await store.read('a'); // a is now more recent than b
      await store.append('c', { data: '1' }, keep);
      assert.equal(store.size, 2);
      assert.equal((await store.position('a')).epoch, a.epoch);
      assert.equal((await store.position('b')).offset, 0, 'b was dropped');
    } finally {
      await store.close();
    }
  });

  it('forgets an idle stream after metaTtlMs, and only then', async () => {
    const store = new MemoryHistoryStore({ metaTtlMs: 1000 });
    try {
      await store.append('a', { data: '1' }, { size: 10, ttlMs: 10 });
      store.sweep(Date.now() + 500);
      assert.equal(store.size, 1);
      store.sweep(Date.now() + 1001);
      assert.equal(store.size, 0);
    } finally {
      await store.close();
    }
  });
});
