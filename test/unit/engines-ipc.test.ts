import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpcHistoryStore } from '../../src/cluster/history-store-ipc.js';
import { IpcPresenceStore } from '../../src/cluster/presence-store-ipc.js';
import { EngineUnavailableError } from '../../src/errors.js';
import { MemoryHistoryStore } from '../../src/history/history-store-memory.js';
import { historyStoreConformance } from '../support/history-store-conformance.js';
import { IpcDouble } from '../support/ipc-double.js';
import { presenceStoreConformance } from '../support/presence-store-conformance.js';

historyStoreConformance('ipc (two workers over an in-memory cluster channel)', async () => {
  const ipc = new IpcDouble();
  return {
    store: new IpcHistoryStore(2000, ipc.worker(1)),
    peer: new IpcHistoryStore(2000, ipc.worker(2)),
    lose: async () => (ipc.engines.history as MemoryHistoryStore).sweep(Number.MAX_SAFE_INTEGER),
    cleanup: () => ipc.close(),
  };
});

presenceStoreConformance('ipc (two workers over an in-memory cluster channel)', async () => {
  const ipc = new IpcDouble();
  return {
    store: new IpcPresenceStore(2000, ipc.worker(1)),
    peer: new IpcPresenceStore(2000, ipc.worker(2)),
    killPeer: () => ipc.killWorker(2),
    cleanup: () => ipc.close(),
  };
});

describe('IPC history and presence stores', () => {
  it('fail with EngineUnavailableError naming the call when the primary does not answer in time', async () => {
    const ipc = new IpcDouble();
    ipc.answering = false;
    const history = new IpcHistoryStore(50, ipc.worker(1));
    const presence = new IpcPresenceStore(50, ipc.worker(1));
    try {
      const failed = await history
        .append('ch', { data: '1' }, { size: 1, ttlMs: 1000 })
        .catch((e: unknown) => e);
      assert.ok(failed instanceof EngineUnavailableError && failed.engine === 'history', String(failed));
      assert.match(failed.message, /did not answer history\.append in 50 ms/);
      await assert.rejects(
        presence.get('ch'),
        (e) => e instanceof EngineUnavailableError && e.engine === 'presence',
      );
    } finally {
      await history.close();
      await presence.close();
      await ipc.close();
    }
  });

  it('fail at once, sending nothing, when the channel to the primary is cut', async () => {
    const ipc = new IpcDouble();
    const channel = ipc.worker(1);
    const history = new IpcHistoryStore(60_000, channel);
    try {
      channel.disconnect();
      assert.equal(history.connected, false);
      await assert.rejects(history.position('ch'), /unreachable/);
      assert.deepEqual(ipc.received, []);
    } finally {
      await history.close();
      await ipc.close();
    }
  });

  it("report a failure of the primary's store with its reason", async () => {
    const ipc = new IpcDouble();
    ipc.engines.history.read = () => Promise.reject(new Error('out of memory'));
    const history = new IpcHistoryStore(2000, ipc.worker(1));
    try {
      await assert.rejects(history.read('ch'), /history store \(primary\) failed: out of memory/);
      assert.equal((await history.append('ch', { data: '1' }, { size: 1, ttlMs: 1000 })).offset, 1);
    } finally {
      await history.close();
      await ipc.close();
    }
  });
});
