/**
 * The behaviour every PresenceStore must have, as one suite each implementation's test file runs:
 * `presenceStoreConformance('memory', async () => ({ store, cleanup }))`. Backends shared by several processes also
 * give a peer store and a way to kill it without cleanup, to show that a dead process's entries expire.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ClientInfo, PresenceStore } from '../../src/presence/presence-store.js';
import { eventually } from './eventually.js';

export interface PresenceStoreFixture {
  store: PresenceStore;
  /** A second store on the same backend (another node or worker); absent for a backend of one process. */
  peer?: PresenceStore;
  /** The peer's process dies without removing its entries (killed, machine lost). */
  killPeer?(): Promise<void>;
  /** How long the backend may take to drop a dead process's entries. Default 10000 ms. */
  expiryWithinMs?: number;
  cleanup(): Promise<void>;
}

const info = (client: string, user: string, extra: Partial<ClientInfo> = {}): ClientInfo => ({
  user,
  client,
  ...extra,
});

export function presenceStoreConformance(name: string, make: () => Promise<PresenceStoreFixture>): void {
  describe(`PresenceStore conformance: ${name}`, () => {
    let fixture: PresenceStoreFixture;
    let store: PresenceStore;

    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });
    afterEach(async () => {
      await store.close();
      await fixture.peer?.close().catch(() => undefined);
      await fixture.cleanup();
    });

    it('returns the entries added, by client, with their info exactly', async () => {
      const a = info('c1', 'u1', { connInfo: { name: 'Ann' }, chanInfo: [1, 'x'] });
      await store.add('ch', 'c1', a);
      await store.add('ch', 'c2', info('c2', 'u2'));
      assert.deepEqual(await store.get('ch'), { c1: a, c2: info('c2', 'u2') });
      assert.deepEqual(await store.get('other'), {});
    });

    it('replaces the info of a client added again, counting it once', async () => {
      await store.add('ch', 'c1', info('c1', 'u1', { chanInfo: 'old' }));
      await store.add('ch', 'c1', info('c1', 'u1', { chanInfo: 'new' }));
      assert.deepEqual(await store.get('ch'), { c1: info('c1', 'u1', { chanInfo: 'new' }) });
      assert.deepEqual(await store.stats('ch'), { numClients: 1, numUsers: 1 });
    });

    it('removes an entry; removing an unknown one does nothing', async () => {
      await store.add('ch', 'c1', info('c1', 'u1'));
      await store.add('ch', 'c2', info('c2', 'u2'));
      await store.remove('ch', 'c1');
      await store.remove('ch', 'nobody');
      await store.remove('never-used', 'c1');
      assert.deepEqual(Object.keys(await store.get('ch')), ['c2']);
      await store.remove('ch', 'c2');
      assert.deepEqual(await store.stats('ch'), { numClients: 0, numUsers: 0 });
    });

    it('counts clients and unique users (anonymous clients are one user "")', async () => {
      await store.add('ch', 'c1', info('c1', 'u1'));
      await store.add('ch', 'c2', info('c2', 'u1'));
      await store.add('ch', 'c3', info('c3', 'u2'));
      await store.add('ch', 'c4', info('c4', ''));
      await store.add('ch', 'c5', info('c5', ''));
      assert.deepEqual(await store.stats('ch'), { numClients: 5, numUsers: 3 });
      await store.remove('ch', 'c1');
      assert.deepEqual(await store.stats('ch'), { numClients: 4, numUsers: 3 });
      await store.remove('ch', 'c2');
      assert.deepEqual(await store.stats('ch'), { numClients: 3, numUsers: 2 });
    });

    it('moves a client re-added under another user to that user', async () => {
      await store.add('ch', 'c1', info('c1', 'u1'));
      await store.add('ch', 'c1', info('c1', 'u2'));
      await store.add('ch', 'c2', info('c2', 'u2'));
      assert.deepEqual(await store.stats('ch'), { numClients: 2, numUsers: 1 });
    });

    it('keeps channels apart, whatever their names', async () => {
      const channels = ['{tag}', 'a}b{c', 'chat:1', 'chat:1:x', '房间'];
      for (const [i, ch] of channels.entries()) await store.add(ch, `c${i}`, info(`c${i}`, 'u'));
      for (const [i, ch] of channels.entries()) assert.deepEqual(Object.keys(await store.get(ch)), [`c${i}`]);
    });

    it('shows the entries of another store on the same backend', async (t) => {
      const peer = fixture.peer;
      if (!peer) return t.skip('this backend serves one process only');
      await peer.add('ch', 'p1', info('p1', 'u1'));
      await store.add('ch', 'c1', info('c1', 'u2'));
      assert.deepEqual(Object.keys(await store.get('ch')).sort(), ['c1', 'p1']);
      assert.deepEqual(await peer.stats('ch'), { numClients: 2, numUsers: 2 });
    });

    it("drops a dead process's entries by itself, keeping the others", async (t) => {
      const { peer, killPeer } = fixture;
      if (!peer || !killPeer) return t.skip('this backend serves one process only');
      await peer.add('ch', 'p1', info('p1', 'u1'));
      await peer.add('ch', 'p2', info('p2', 'u2'));
      await store.add('ch', 'c1', info('c1', 'u1'));
      await killPeer();
      await eventually(
        () => store.get('ch'),
        (entries) => Object.keys(entries).length === 1,
        {
          withinMs: fixture.expiryWithinMs ?? 10_000,
          what: "the dead process's entries gone",
        },
      );
      assert.deepEqual(await store.get('ch'), { c1: info('c1', 'u1') });
      assert.deepEqual(await store.stats('ch'), { numClients: 1, numUsers: 1 });
    });
  });
}
