import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection, Gateway } from '../../src/index.js';
import { MemoryRoomStore } from '../../src/store/room-store-memory.js';
import type { ConnId, RoomId } from '../../src/types.js';
import { startGateway, TestClient, wsUrl } from '../support/gateway.js';

/** A memory store whose `add` waits until the test opens the gate. */
class GatedStore extends MemoryRoomStore {
  open: () => void = () => undefined;
  readonly #gate = new Promise<void>((resolve) => (this.open = resolve));
  #entered: () => void = () => undefined;
  /** Resolves once an `add` is waiting at the gate. */
  readonly adding = new Promise<void>((resolve) => (this.#entered = resolve));
  override async add(room: RoomId, conn: ConnId): Promise<boolean> {
    this.#entered();
    await this.#gate;
    return super.add(room, conn);
  }
}

function nextOpen(gateway: Gateway): Promise<Connection> {
  return new Promise((resolve) => gateway.once('open', resolve));
}

function nextClose(gateway: Gateway): Promise<void> {
  return new Promise((resolve) => gateway.once('close', () => resolve()));
}

/** Neither the gateway's index nor the store remembers `conn` (the gateway is closed either way). */
async function assertNoMembershipThenClose(
  gateway: Gateway,
  store: MemoryRoomStore,
  conn: Connection,
): Promise<void> {
  try {
    assert.deepEqual([...gateway.localMemberships()], []);
    assert.deepEqual(await store.roomsOf(conn.id), []);
  } finally {
    await gateway.close();
  }
}

describe('a connection that closes while its messages are handled', () => {
  it('leaves no membership behind from a subscribe handled after the close', async () => {
    const store = new MemoryRoomStore();
    const gateway = await startGateway({}, { store });
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    gateway.onMessage('block', () => blocked);
    const opened = nextOpen(gateway);
    const c = await TestClient.open(wsUrl(gateway));
    const conn = await opened;
    c.ws.send('block');
    c.ws.send('subscribe|late');
    const closed = nextClose(gateway);
    await c.close();
    await closed;
    release();
    await conn.chain;
    await assertNoMembershipThenClose(gateway, store, conn);
  });

  it('leaves no membership behind from a subscribe the store completes after the close', async () => {
    const store = new GatedStore();
    const gateway = await startGateway({}, { store });
    const opened = nextOpen(gateway);
    const c = await TestClient.open(wsUrl(gateway));
    const conn = await opened;
    c.ws.send('subscribe|slow');
    await store.adding;
    const closed = nextClose(gateway);
    await c.close();
    await closed;
    store.open();
    await conn.chain;
    await assertNoMembershipThenClose(gateway, store, conn);
  });
});

describe('shutdown with handlers still running', () => {
  it('closes the room store only after the handlers of the clients it closed have finished', async () => {
    const order: string[] = [];
    class RecordingStore extends MemoryRoomStore {
      override async close(): Promise<void> {
        order.push('store closed');
        return super.close();
      }
    }
    const gateway = await startGateway({}, { store: new RecordingStore() });
    const clientGone = nextClose(gateway);
    let started: () => void = () => undefined;
    const working = new Promise<void>((resolve) => (started = resolve));
    gateway.onMessage('work', async () => {
      started();
      await clientGone;
      // Work that goes on after the client left (a store or RPC call still on its way).
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('handler done');
    });
    const c = await TestClient.open(wsUrl(gateway));
    c.ws.send('work');
    await working;
    await gateway.close();
    assert.deepEqual(order, ['handler done', 'store closed']);
  });
});
