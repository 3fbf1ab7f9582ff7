import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { openStatStore } from '../../src/platform/stats/open-stat-store.js';
import { MemoryStatStore } from '../../src/stats/stat-store-memory.js';
import { statStoreConformance } from '../support/stat-store-conformance.js';

statStoreConformance('memory', () =>
  Promise.resolve({ store: new MemoryStatStore(), cleanup: async () => {} }),
);

describe('openStatStore', () => {
  it('opens the memory store by default and for "memory"', async () => {
    assert.ok((await openStatStore(undefined)) instanceof MemoryStatStore);
    assert.ok((await openStatStore('memory')) instanceof MemoryStatStore);
  });

  it('refuses anything else with a ConfigError naming statStore', async () => {
    await assert.rejects(openStatStore('mysql://x'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /statStore/);
      return true;
    });
  });
});
