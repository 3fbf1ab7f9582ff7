/**
 * Liveness, readiness and the graceful drain, as a load balancer sees them: /readyz turns 503 as soon as a drain
 * starts, clients are closed with 1001 in batches spread over drainMs, and a store or broker that cannot be reached
 * makes the node not ready.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import {
  LocalBroker,
  MemoryRoomStore,
  type Broker,
  type BrokerMessage,
  type RoomStore,
} from '../../src/index.js';
import { eventually } from '../support/eventually.js';
import { startGateway, TestClient, wsUrl } from '../support/gateway.js';
import { hasRedisServerBinary, SpawnedRedis } from '../support/redis-server.js';
import { describeOrSkip } from '../support/describe-or-skip.js';

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A store whose backend can be switched off, like a Redis store during an outage. */
class SwitchableStore extends MemoryRoomStore implements RoomStore {
  connected = true;
}

class SwitchableBroker implements Broker {
  readonly #inner = new LocalBroker();
  connected = true;
  publish(msg: BrokerMessage): Promise<void> {
    return this.#inner.publish(msg);
  }
  subscribe(handler: (msg: BrokerMessage) => void): void {
    this.#inner.subscribe(handler);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

describe('health and readiness', () => {
  it('/healthz answers 200 and /readyz 200 with every check ok', async () => {
    const gateway = await startGateway();
    assert.deepEqual(await get(`${gateway.url}/healthz`), { status: 200, body: { status: 'ok' } });
    const ready = await get(`${gateway.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body['checks'], {
      store: 'ok',
      broker: 'ok',
      history: 'ok',
      presence: 'ok',
      node: 'ok',
    });
    await gateway.close();
  });

  it('/readyz answers 503 naming the store or broker that cannot be reached, and 200 again when it returns', async () => {
    const store = new SwitchableStore();
    const broker = new SwitchableBroker();
    const gateway = await startGateway({}, { store, broker });
    store.connected = false;
    let r = await get(`${gateway.url}/readyz`);
    assert.equal(r.status, 503);
    assert.deepEqual(r.body['checks'], {
      store: 'unreachable',
      broker: 'ok',
      history: 'ok',
      presence: 'ok',
      node: 'ok',
    });
    store.connected = true;
    broker.connected = false;
    r = await get(`${gateway.url}/readyz`);
    assert.equal(r.status, 503);
    assert.deepEqual(r.body['checks'], {
      store: 'ok',
      broker: 'unreachable',
      history: 'ok',
      presence: 'ok',
      node: 'ok',
    });
    broker.connected = true;
    assert.equal((await get(`${gateway.url}/readyz`)).status, 200);
    assert.equal((await get(`${gateway.url}/healthz`)).status, 200);
    await gateway.close();
  });
});

describe('graceful drain', () => {
  it('turns /readyz to 503 at once, then closes clients with 1001 in batches spread over drainMs', async () => {
    const drainMs = 1000;
    const gateway = await startGateway({ drainMs, shutdownGraceMs: 2000 });
    const clients = await Promise.all(Array.from({ length: 40 }, () => TestClient.open(wsUrl(gateway))));
    const closedAt: number[] = [];
    const codes = clients.map((c) =>
      c.closed.then((info) => {
        closedAt.push(Date.now());
        return info.code;
      }),
    );
    const started = Date.now();
    const closing = gateway.close();
    const during = await get(`${gateway.url}/readyz`);
    assert.equal(during.status, 503);
    assert.equal((during.body['checks'] as Record<string, string>)['node'], 'draining');
    // New WebSockets are refused while draining.
    await assert.rejects(TestClient.open(wsUrl(gateway)));
    assert.deepEqual(
      await Promise.all(codes),
      clients.map(() => 1001),
    );
    await closing;
    closedAt.sort((a, b) => a - b);
    const first = (closedAt[0] ?? 0) - started;
    const spread = (closedAt.at(-1) ?? 0) - (closedAt[0] ?? 0);
    // Batches: not everyone at once (at least half the drain time between first and last), and done within it.
    assert.ok(spread >= drainMs / 2, `all clients closed within ${spread} ms: no batching`);
    assert.ok(first < drainMs / 2, `the first batch came after ${first} ms`);
    assert.ok(spread <= drainMs + 500, `the drain took ${spread} ms for a drainMs of ${drainMs}`);
  });

  it('tells Centrifugo-protocol clients with the disconnect push (reconnect allowed), then closes them with 3001', async () => {
    const gateway = await startGateway({ drainMs: 0 });
    const ws = new WebSocket(wsUrl(gateway, '/connection/websocket'));
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(String(data)));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('{"id":1,"connect":{}}');
    await eventually(
      () => frames.length,
      (n) => n === 1,
      { what: 'the connect reply' },
    );
    await gateway.close();
    assert.equal(await closed, 3001);
    assert.deepEqual(JSON.parse(frames[1] ?? 'null'), {
      push: { disconnect: { code: 3001, reason: 'shutdown', reconnect: true } },
    });
  });

  it('spreads Centrifugo-protocol clients over the drain batches like the others', async () => {
    const drainMs = 1000;
    const gateway = await startGateway({ drainMs, shutdownGraceMs: 2000 });
    const closedAt: number[] = [];
    const codes: Promise<number>[] = [];
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(wsUrl(gateway, '/connection/websocket'));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const reply = new Promise((resolve) => ws.once('message', resolve));
      ws.send('{"id":1,"connect":{}}');
      await reply;
      codes.push(
        new Promise((resolve) =>
          ws.once('close', (code) => {
            closedAt.push(Date.now());
            resolve(code);
          }),
        ),
      );
    }
    await gateway.close();
    assert.deepEqual(
      await Promise.all(codes),
      codes.map(() => 3001),
    );
    const spread = Math.max(...closedAt) - Math.min(...closedAt);
    assert.ok(spread >= drainMs / 2, `all Centrifugo clients closed within ${spread} ms: no batching`);
  });

  it('makes the official Centrifugo SDK reconnect after a drain (code 3001 is not terminal)', async () => {
    const gateway = await startGateway({ drainMs: 0 });
    const sdk = new Centrifuge(wsUrl(gateway, '/connection/websocket'), { websocket: WebSocket });
    try {
      await new Promise((resolve) => {
        sdk.once('connected', resolve);
        sdk.connect();
      });
      const next = new Promise<{ state: string; code: number }>((resolve) => {
        sdk.once('connecting', (ctx) => resolve({ state: 'connecting', code: ctx.code }));
        sdk.once('disconnected', (ctx) => resolve({ state: 'disconnected', code: ctx.code }));
      });
      await gateway.close();
      assert.deepEqual(await next, { state: 'connecting', code: 3001 });
    } finally {
      sdk.disconnect();
    }
  });

  it('closes everyone at once with drainMs 0', async () => {
    const gateway = await startGateway({ drainMs: 0 });
    const clients = await Promise.all(Array.from({ length: 5 }, () => TestClient.open(wsUrl(gateway))));
    await gateway.close();
    for (const c of clients) assert.equal((await c.closed).code, 1001);
  });
});

describeOrSkip(
  'readiness across a Redis outage',
  {
    skip: hasRedisServerBinary()
      ? undefined
      : 'no redis-server binary to start and kill (apt-get install redis-server)',
  },
  () => {
    it('turns /readyz to 503 while Redis is down and back to 200 when it returns, /healthz staying 200', async () => {
      const server = await SpawnedRedis.start();
      const gateway = await startGateway({ roomStore: 'redis', broker: 'redis', redisUrl: server.url });
      try {
        assert.equal((await get(`${gateway.url}/readyz`)).status, 200);
        await server.kill();
        const down = await eventually(
          () => get(`${gateway.url}/readyz`),
          // Each Redis connection notices the outage on its own: wait until all four have.
          (r) => r.status === 503 && JSON.stringify(r.body['checks']).split('unreachable').length === 5,
          {
            what: '/readyz 503 with Redis down',
          },
        );
        assert.deepEqual(down.body['checks'], {
          store: 'unreachable',
          broker: 'unreachable',
          history: 'unreachable',
          presence: 'unreachable',
          node: 'ok',
        });
        assert.equal((await get(`${gateway.url}/healthz`)).status, 200);
        await server.restart();
        await eventually(
          () => get(`${gateway.url}/readyz`),
          (r) => r.status === 200,
          {
            what: '/readyz 200 after Redis returned',
          },
        );
      } finally {
        await gateway.close();
        await server.kill();
      }
    });
  },
);
