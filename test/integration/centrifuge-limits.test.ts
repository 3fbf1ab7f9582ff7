import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Gateway, GatewayConfig } from '../../src/index.js';
import { OPEN_ROOMS, SdkClients, subscribed } from '../support/centrifuge.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';

const code = (expected: number) => (err: unknown) => (err as { code?: number }).code === expected;

/** Replies of one frame, by id. */
async function batch(
  client: TestClient,
  commands: Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const last = commands.length;
  const reply = client.waitFor((m) => m.includes(`"id":${last}`));
  client.ws.send(commands.map((c, i) => JSON.stringify({ id: i + 1, ...c })).join('\n'));
  return (await reply).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('Centrifugo per-connection limits', () => {
  const gateways: Gateway[] = [];
  const clients: TestClient[] = [];
  const sdks: SdkClients[] = [];
  const start = async (overrides: Partial<GatewayConfig>): Promise<Gateway> => {
    const gateway = await startChat({ channelDefaults: OPEN_ROOMS, ...overrides });
    gateways.push(gateway);
    return gateway;
  };
  const connect = async (gateway: Gateway): Promise<TestClient> => {
    const client = await TestClient.open(wsUrl(gateway, '/connection/websocket'));
    clients.push(client);
    await batch(client, [{ connect: {} }]);
    return client;
  };
  const sdkOf = (gateway: Gateway): SdkClients => {
    const s = new SdkClients(() => gateway);
    sdks.push(s);
    return s;
  };
  after(async () => {
    for (const s of sdks) s.closeAll();
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(gateways.map((g) => g.close()));
  });

  it('answers commands past the burst with 111, marked temporary', async () => {
    const gateway = await start({
      centrifugeCommandRate: 1,
      centrifugeCommandBurst: 3,
      centrifugeErrorBurst: 0,
    });
    const client = await connect(gateway);
    const unsubscribe = { unsubscribe: { channel: 'room1' } };
    const replies = await batch(client, [unsubscribe, unsubscribe, unsubscribe, unsubscribe, unsubscribe]);
    assert.deepEqual(
      replies.map((r) => (r['error'] as { code?: number } | undefined)?.code ?? 'ok'),
      ['ok', 'ok', 'ok', 111, 111],
    );
    assert.equal((replies[4]!['error'] as { temporary?: boolean }).temporary, true);
  });

  it('closes a connection whose errors pass the error burst with 3509 (no reconnect)', async () => {
    const gateway = await start({ centrifugeErrorRate: 0, centrifugeErrorBurst: 3 });
    const client = await connect(gateway);
    const bad = { subscribe: { channel: 'nope:x' } };
    client.ws.send([1, 2, 3, 4].map((id) => JSON.stringify({ id, ...bad })).join('\n'));
    assert.equal((await client.closed).code, 3509);
  });

  it('refuses a subscription past maxRoomsPerConnection with 106', async () => {
    const gateway = await start({ maxRoomsPerConnection: 2 });
    const c = await sdkOf(gateway).connected();
    await subscribed(c.newSubscription('room1'));
    await subscribed(c.newSubscription('room2'));
    await assert.rejects(subscribed(c.newSubscription('room3')), code(106));
  });

  it('refuses publish and rpc data longer than maxMessageLength with 106', async () => {
    const gateway = await start({ maxMessageLength: 16 });
    gateway.onRpc('echo', (data) => data);
    const c = await sdkOf(gateway).connected();
    const sub = c.newSubscription('room1');
    await subscribed(sub);
    await sub.publish('short');
    await assert.rejects(sub.publish('x'.repeat(17)), code(106));
    await assert.rejects(c.rpc('echo', { text: 'x'.repeat(16) }), code(106));
    assert.deepEqual((await c.rpc('echo', { a: 1 })).data, { a: 1 });
  });

  it('refuses a channel name longer than maxRoomNameLength with 107', async () => {
    const gateway = await start({ maxRoomNameLength: 8 });
    const c = await sdkOf(gateway).connected();
    await assert.rejects(subscribed(c.newSubscription('room-with-a-long-name')), code(107));
  });
});
