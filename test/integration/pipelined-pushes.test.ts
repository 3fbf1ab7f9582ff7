/**
 * A burst of sendByRoom from one connection into a room that keeps history: the pushes are issued one after the
 * other without waiting for each history append (the appends overlap), yet arrive in the order sent with increasing
 * offsets, and the replies come back in frame order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CHANNEL_OPTIONS } from '../../src/config/channel-options.js';
import type { AppendOptions, AppendResult, PublicationInput } from '../../src/history/history-store.js';
import { MemoryHistoryStore } from '../../src/history/history-store-memory.js';
import type { Gateway } from '../../src/index.js';
import { startGateway, TestClient, wsUrl } from '../support/gateway.js';

/** A history engine whose appends take a few event-loop turns, like a network round trip, and that counts overlap. */
class SlowAppends extends MemoryHistoryStore {
  inFlight = 0;
  maxInFlight = 0;
  override async append(
    channel: string,
    pub: PublicationInput,
    options: AppendOptions,
  ): Promise<AppendResult> {
    // Numbered now, in call order, as a Redis connection answers pipelined commands in order.
    const result = super.append(channel, pub, options);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    this.inFlight--;
    return result;
  }
}

describe('pipelined pushes from one connection', () => {
  let gateway: Gateway;
  const history = new SlowAppends();
  const clients: TestClient[] = [];

  before(async () => {
    gateway = await startGateway(
      { channelDefaults: { ...DEFAULT_CHANNEL_OPTIONS, historySize: 1000, historyTtlMs: 60_000 } },
      { history },
    );
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gateway.close();
  });

  it('overlaps the history appends of a burst, delivering in order with offsets and replying in order', async () => {
    const subscriber = await TestClient.open(wsUrl(gateway), 'tars-ws.json');
    const publisher = await TestClient.open(wsUrl(gateway));
    clients.push(subscriber, publisher);
    subscriber.ws.send(JSON.stringify({ cmd: 'subscribe', data: 'burst', id: 1 }));
    await subscriber.waitFor(/"id":1/);
    const n = 50;
    for (let i = 0; i < n; i++) publisher.ws.send(`sendByRoom|{"roomNum":"burst","message":"m${i}"}`);
    await subscriber.waitForCount(/"push"/, n);
    const pushes = subscriber.received
      .filter((f) => f.includes('"push"'))
      .map((f) => (JSON.parse(f) as { push: { message: string; offset: number } }).push);
    assert.deepEqual(
      pushes.map((p) => p.message),
      Array.from({ length: n }, (_, i) => `m${i}`),
    );
    assert.deepEqual(
      pushes.map((p) => p.offset),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    await publisher.waitForCount('SendByRoom success!', n);
    assert.ok(history.maxInFlight > 1, `appends in flight at once: ${history.maxInFlight}`);
  });
});
