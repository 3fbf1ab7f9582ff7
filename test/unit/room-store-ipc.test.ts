import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpcRoomStore } from '../../src/cluster/room-store-ipc.js';
import { ErrorCode, GatewayError } from '../../src/errors.js';
import { MemoryRoomStore } from '../../src/store/room-store-memory.js';
import { IpcDouble } from '../support/ipc-double.js';
import { roomStoreConformance } from '../support/room-store-conformance.js';

roomStoreConformance('ipc (worker side, over an in-memory cluster channel)', async () => {
  const ipc = new IpcDouble();
  return { store: new IpcRoomStore(2000, ipc.worker(1)), cleanup: () => ipc.close() };
});

const upstream =
  (pattern: RegExp) =>
  (err: unknown): boolean =>
    err instanceof GatewayError && err.code === ErrorCode.Upstream && pattern.test(err.message);

describe('IpcRoomStore', () => {
  it('fails an operation with UPSTREAM_ERROR naming it when the primary does not answer in time', async () => {
    const ipc = new IpcDouble();
    ipc.answering = false;
    const store = new IpcRoomStore(50, ipc.worker(1));
    try {
      await assert.rejects(store.add('room1', 1), upstream(/did not answer add in 50 ms/));
    } finally {
      await store.close();
      await ipc.close();
    }
  });

  it('fails at once with UPSTREAM_ERROR, sending nothing, when the channel to the primary is cut', async () => {
    const ipc = new IpcDouble();
    const channel = ipc.worker(1);
    const store = new IpcRoomStore(60_000, channel);
    try {
      assert.equal(store.connected, true);
      channel.disconnect();
      assert.equal(store.connected, false);
      await assert.rejects(store.members('room1'), upstream(/unreachable/));
      assert.deepEqual(ipc.received, []);
    } finally {
      await store.close();
      await ipc.close();
    }
  });

  it("reports a failure of the primary's store as UPSTREAM_ERROR with its reason", async () => {
    const failing = new MemoryRoomStore();
    failing.rooms = () => Promise.reject(new Error('disk on fire'));
    const ipc = new IpcDouble(failing);
    const store = new IpcRoomStore(2000, ipc.worker(1));
    try {
      await assert.rejects(store.rooms(), upstream(/disk on fire/));
      assert.equal(await store.add('room1', 1), true, 'the next operation works');
    } finally {
      await store.close();
      await ipc.close();
    }
  });

  it('refuses connection ids IPC would corrupt (NaN, Infinity) before sending anything', async () => {
    const ipc = new IpcDouble();
    const store = new IpcRoomStore(2000, ipc.worker(1));
    try {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, 0.5]) {
        await assert.rejects(store.add('room1', bad), TypeError);
        await assert.rejects(store.removeConnection(bad), TypeError);
      }
      assert.deepEqual(ipc.received, []);
      assert.deepEqual(await ipc.store.members('room1'), []);
    } finally {
      await store.close();
      await ipc.close();
    }
  });

  it('rejects the operations still waiting when it closes, and stops listening to the channel', async () => {
    const ipc = new IpcDouble();
    ipc.answering = false;
    const channel = ipc.worker(1);
    const store = new IpcRoomStore(60_000, channel);
    const waiting = store.count('room1');
    await store.close();
    await assert.rejects(waiting, upstream(/closed/));
    assert.equal(channel.listenerCount, 0);
    await ipc.close();
  });

  it("leaves other IPC traffic alone: an application's messages, replies to nobody", async () => {
    const ipc = new IpcDouble();
    const channel = ipc.worker(1);
    const store = new IpcRoomStore(2000, channel);
    try {
      channel.deliver({ type: 'app-traffic', id: 1 });
      channel.deliver({ tws: 'store-reply', id: 999, ok: true, value: 42 });
      assert.equal(await store.add('room1', 1), true);
      assert.deepEqual(await store.members('room1'), [1]);
    } finally {
      await store.close();
      await ipc.close();
    }
  });
});
