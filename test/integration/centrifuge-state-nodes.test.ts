/**
 * History, recovery and presence across processes, with the official SDK as client: gateway nodes as child
 * processes over Redis (recovery on another node and across a restart, presence and join/leave, a node killed with
 * SIGKILL leaving presence), two workers sharing the primary's memory engines, and Redis restarted mid-traffic.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import type { Centrifuge, PublicationContext, Subscription, SubscribedContext } from 'centrifuge';
import { DEFAULT_CHANNEL_OPTIONS, type Gateway } from '../../src/index.js';
import { processOfConn } from '../../src/types.js';
import { OPEN_ROOMS, SdkClients, subscribed, within } from '../support/centrifuge.js';
import { connectSdk } from '../support/centrifuge-sdk.js';
import { startChat } from '../support/chat.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { eventually } from '../support/eventually.js';
import { GatewayNode, type NodeEnv } from '../support/node-process.js';
import {
  findRedis,
  hasRedisServerBinary,
  SpawnedRedis,
  stopSharedRedis,
  uniquePrefix,
  wipePrefix,
} from '../support/redis-server.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const redis = await findRedis();
if (redis.skip) console.log(`# skipping multi-node state tests: ${redis.skip}`);
after(stopSharedRedis);

const NODE_TTL_MS = 1500;
const OPEN = { ...OPEN_ROOMS, allowHistoryForSubscriber: true, allowPresenceForSubscriber: true };
const NAMESPACES = [
  { ...OPEN, name: 'rec', historySize: 100, historyTtlMs: 60_000, forceRecovery: true },
  { ...OPEN, name: 'pres', presence: true, joinLeave: true },
];
/** Channel options as the gateway-node and cluster-app entries read them from the environment. */
const CHANNEL_ENV: NodeEnv = {
  CHANNEL_DEFAULTS: JSON.stringify(OPEN),
  NAMESPACES: JSON.stringify(NAMESPACES),
};

function redisEnv(url: string, prefix: string): NodeEnv {
  return {
    ...CHANNEL_ENV,
    ROOM_STORE: 'redis',
    BROKER: 'redis',
    HISTORY_ENGINE: 'redis',
    PRESENCE_ENGINE: 'redis',
    REDIS_URL: url,
    REDIS_KEY_PREFIX: prefix,
    NODE_TTL_MS: String(NODE_TTL_MS),
  };
}

const portOf = (node: GatewayNode): number => Number(new URL(node.url).port);
const sdkUrl = (node: GatewayNode): string => `${node.wsUrl}connection/websocket`;

/** Publishes a text message to a room through a node's push API (a room publication, stored in its history). */
async function publish(node: GatewayNode, room: string, message: string): Promise<void> {
  const q = new URLSearchParams({ roomNum: room, message });
  const res = await fetch(`${node.url}/Index/pushByRoom?${q.toString()}`);
  const body = await res.text();
  assert.equal(res.status, 200, `push to ${room} via node ${node.processIndex}: ${body}`);
}

/** Collects a subscription's publications; `next(data)` waits for one with that data. */
function collect(sub: Subscription): {
  got: PublicationContext[];
  next: (data: string) => Promise<PublicationContext>;
} {
  const got: PublicationContext[] = [];
  sub.on('publication', (ctx) => got.push(ctx));
  const next = (data: string): Promise<PublicationContext> =>
    within(`publication ${data}`, (done) => {
      const seen = got.find((p) => p.data === data);
      if (seen) done(seen);
      else sub.on('publication', (p) => p.data === data && done(p));
    });
  return { got, next };
}

/** The data in order, and the offsets consecutive (nothing lost, nothing repeated). */
function assertInOrder(got: PublicationContext[], data: string[]): void {
  assert.deepEqual(
    got.map((p) => p.data),
    data,
  );
  const offsets = got.map((p) => Number(p.offset));
  for (let i = 1; i < offsets.length; i++)
    assert.equal(offsets[i], offsets[i - 1]! + 1, `offsets ${offsets}`);
}

/**
 * A recovering subscription of `client` to `channel` that has received `before` (published via `node`); `finish`
 * publishes `live` via `node` and checks that everything arrived once, in order: before, `missed`, live.
 */
async function recovering(
  client: Centrifuge,
  channel: string,
  node: GatewayNode,
): Promise<{ s: Subscription; finish: (node: GatewayNode, missed: string[]) => Promise<void> }> {
  const s = client.newSubscription(channel);
  const { got, next } = collect(s);
  await subscribed(s);
  await publish(node, channel, 'before');
  await next('before');
  const finish = async (via: GatewayNode, missed: string[]): Promise<void> => {
    await publish(via, channel, 'live');
    await next('live');
    assertInOrder(got, ['before', ...missed, 'live']);
  };
  return { s, finish };
}

const nextSubscribed = (sub: Subscription): Promise<SubscribedContext> =>
  within<SubscribedContext>('subscribed again', (done) => sub.once('subscribed', done), 10_000);

/** SDK clients a suite opens on any URL, disconnected at its end. */
class Clients {
  readonly #open: Centrifuge[] = [];
  async on(url: string): Promise<{ client: Centrifuge; clientId: string }> {
    const c = await connectSdk(url);
    this.#open.push(c.client);
    return c;
  }
  closeAll(): void {
    for (const c of this.#open.splice(0)) c.disconnect();
  }
}

/** Subscribes `client` to `channel` (with join/leave pushes when asked) and resolves once subscribed. */
async function sub(client: Centrifuge, channel: string, joinLeave = false): Promise<Subscription> {
  const s = client.newSubscription(channel, joinLeave ? { joinLeave: true } : {});
  await subscribed(s);
  return s;
}

/** Presence and join/leave seen from `watcher`'s subscription while `other` joins and leaves. */
async function joinAndLeave(watcher: Subscription, watcherId: string, other: Centrifuge): Promise<void> {
  const joined = within<{ info: { client: string } }>('join of the other client', (done) =>
    watcher.on('join', (ctx) => ctx.info.client !== watcherId && done(ctx)),
  );
  const theirs = await sub(other, watcher.channel);
  const otherId = (await joined).info.client;
  const presence = await watcher.presence();
  assert.deepEqual(Object.keys(presence.clients).sort(), [watcherId, otherId].sort());
  assert.deepEqual(await watcher.presenceStats(), { numClients: 2, numUsers: 1 });
  const left = within<{ info: { client: string } }>('leave of the other client', (done) =>
    watcher.on('leave', done),
  );
  theirs.unsubscribe();
  assert.equal((await left).info.client, otherId);
  assert.deepEqual(Object.keys((await watcher.presence()).clients), [watcherId]);
}

describeOrSkip('Centrifugo state across gateway nodes over Redis', { skip: redis.skip }, () => {
  const url = redis.url ?? '';
  const prefix = uniquePrefix('state-nodes');
  const nodes: GatewayNode[] = [];
  const clients = new Clients();
  let proxy: TcpProxy;
  const start = async (extra: NodeEnv = {}): Promise<GatewayNode> => {
    const node = await GatewayNode.start({ ...redisEnv(url, prefix), ...extra });
    nodes.push(node);
    return node;
  };

  before(async () => {
    await Promise.all([start(), start()]);
    proxy = await TcpProxy.start();
  });
  after(async () => {
    clients.closeAll();
    await proxy?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await wipePrefix(url, prefix);
  });

  it('recovers on node B what was published meanwhile, after the client was on node A', async () => {
    const [a, b] = [nodes[0]!, nodes[1]!];
    proxy.route(portOf(a));
    const { client } = await clients.on(proxy.wsUrl());
    const { s, finish } = await recovering(client, 'rec:moved', a);
    // The network goes: the SDK retries while the proxy refuses, publications go on through node B.
    proxy.route(undefined);
    const again = nextSubscribed(s);
    proxy.cut();
    for (const m of ['m1', 'm2', 'm3']) await publish(b, 'rec:moved', m);
    proxy.route(portOf(b));
    const ctx = await again;
    assert.deepEqual([ctx.wasRecovering, ctx.recovered], [true, true]);
    await finish(a, ['m1', 'm2', 'm3']);
  });

  it('recovers across a restart of the node the client is on, with publications made via the other node', async () => {
    const node = await start();
    const other = nodes[0]!;
    const { client } = await clients.on(sdkUrl(node));
    const { s, finish } = await recovering(client, 'rec:restart', node);
    const again = nextSubscribed(s);
    await node.stop();
    for (const m of ['m1', 'm2', 'm3']) await publish(other, 'rec:restart', m);
    // The same address again, as a deploy restarts a gateway: the SDK reconnects by itself.
    await start({ PORT: String(portOf(node)) });
    const ctx = await again;
    assert.deepEqual([ctx.wasRecovering, ctx.recovered], [true, true]);
    await finish(other, ['m1', 'm2', 'm3']);
  });

  it('shows presence and pushes join and leave across two nodes', async () => {
    const onA = await clients.on(sdkUrl(nodes[0]!));
    const onB = await clients.on(sdkUrl(nodes[1]!));
    const watcher = await sub(onA.client, 'pres:nodes', true);
    await joinAndLeave(watcher, onA.clientId, onB.client);
  });

  it('drops the presence of a node killed with SIGKILL within the liveness time', async () => {
    const doomed = await start();
    const survivor = await clients.on(sdkUrl(nodes[0]!));
    const victim = await clients.on(sdkUrl(doomed));
    const watcher = await sub(survivor.client, 'pres:killed');
    await sub(victim.client, 'pres:killed');
    assert.equal(Object.keys((await watcher.presence()).clients).length, 2);
    await doomed.kill();
    // Entries live NODE_TTL_MS after the last refresh (every NODE_TTL_MS / 3); the margin is for a loaded machine.
    const left = await eventually(
      async () => Object.keys((await watcher.presence()).clients),
      (ids) => ids.length === 1,
      { withinMs: NODE_TTL_MS * 2, what: 'presence of the killed node dropped' },
    );
    assert.deepEqual(left, [survivor.clientId]);
    victim.client.disconnect();
  });
});

describe('Centrifugo presence across two workers (memory engines via the primary)', () => {
  let child: ChildProcess;
  let port = 0;
  const clients = new Clients();

  before(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cluster-app.ts'], {
      env: { ...process.env, WORKERS: '2', ROOM_STORE: 'memory', ...CHANNEL_ENV },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.once('exit', () => child.kill('SIGKILL'));
    port = await within<number>(
      'cluster listening',
      (done) =>
        createInterface({ input: child.stdout! }).on('line', (text) => {
          // Workers share this stdout for their logs; the primary's first line carries `port`.
          if (!text.startsWith('{"port":')) return;
          done((JSON.parse(text) as { port: number }).port);
        }),
      20_000,
    );
  });
  after(async () => {
    clients.closeAll();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });

  it('shows presence and pushes join and leave between clients of two workers', async () => {
    const url = `ws://127.0.0.1:${port}/connection/websocket`;
    // The primary hands connections to the workers in turn; a client id carries its process index.
    const first = await clients.on(url);
    let second = await clients.on(url);
    for (let i = 0; processOfConn(Number(second.clientId)) === processOfConn(Number(first.clientId)); i++) {
      assert.ok(i < 10, 'no connection landed on the other worker');
      second = await clients.on(url);
    }
    const watcher = await sub(first.client, 'pres:workers', true);
    await joinAndLeave(watcher, first.clientId, second.client);
  });
});

describeOrSkip(
  'Centrifugo history and recovery across a Redis restart',
  { skip: redis.skip ?? (hasRedisServerBinary() ? undefined : 'no redis-server binary to restart') },
  () => {
    let server: SpawnedRedis;
    let gateway: Gateway;
    const sdk = new SdkClients(() => gateway);

    before(async () => {
      server = await SpawnedRedis.start();
      // Engines on Redis; rooms and broker in memory, so a resubscribe during the outage reaches the history read.
      gateway = await startChat({
        historyEngine: 'redis',
        presenceEngine: 'redis',
        redisUrl: server.url,
        nodeTtlMs: NODE_TTL_MS,
        channelDefaults: { ...DEFAULT_CHANNEL_OPTIONS, ...OPEN },
        namespaces: NAMESPACES,
      });
    });
    after(async () => {
      sdk.closeAll();
      await gateway?.close();
      await server?.kill();
    });

    /** Kills Redis and resolves once the history engine rejects at once (it has seen the connection drop). */
    async function redisDown(): Promise<void> {
      await server.kill();
      await eventually(
        () =>
          gateway.historyStore.position('rec:probe').then(
            () => false,
            () => true,
          ),
        (down) => down,
        { what: 'the history engine seeing Redis gone' },
      );
    }

    /** Restarts Redis (empty) and resolves with the first publication stored again, once the engines reconnected. */
    async function redisBack(room: string, message: string): Promise<{ offset?: number; epoch?: string }> {
      await server.restart();
      return eventually(
        () => gateway.sendToRoom(room, message),
        (r) => r.offset !== undefined,
        { withinMs: 10_000, what: 'publications stored again' },
      );
    }

    it('keeps delivering to a local subscriber through a Redis restart mid-traffic, counting what was not stored', async () => {
      const c = await sdk.connected();
      const s = c.newSubscription('rec:traffic');
      const { got, next } = collect(s);
      await subscribed(s);
      const results: { offset?: number; epoch?: string }[] = [];
      const notStoredBefore = gateway.push.notStored;
      let stop = false;
      let n = 0;
      // One publication every few ms, awaited, so their order is known; Redis goes and comes back under it.
      const publisher = (async () => {
        while (!stop) {
          results.push(await gateway.sendToRoom('rec:traffic', String(++n)));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await eventually(
        () => results.length,
        (k) => k >= 5,
        { what: 'publications before the outage' },
      );
      await redisDown();
      await eventually(
        () => results.filter((r) => r.offset === undefined).length,
        (unstored) => unstored >= 5,
        { what: 'publications not stored during the outage' },
      );
      await server.restart();
      await eventually(
        () => results.slice(-5),
        (last) => last.length === 5 && last.every((r) => r.offset !== undefined),
        { withinMs: 10_000, what: 'publications stored again' },
      );
      stop = true;
      await publisher;
      await next(String(n));
      // Every publication reached the subscriber once, in order, stored or not.
      assert.deepEqual(
        got.map((p) => p.data),
        results.map((_, i) => String(i + 1)),
      );
      const unstored = results.filter((r) => r.offset === undefined).length;
      assert.equal(gateway.push.notStored - notStoredBefore, unstored);
      assert.deepEqual(
        got.map((p) => p.offset !== undefined && Number(p.offset) > 0),
        results.map((r) => r.offset !== undefined),
      );
      // After the restart the stream starts again: a new epoch, offsets from 1, consecutive.
      const firstEpoch = results[0]!.epoch;
      const healed = results.filter((r) => r.offset !== undefined && r.epoch !== firstEpoch);
      assert.ok(healed.length >= 5);
      assert.deepEqual(
        healed.map((r) => r.offset),
        healed.map((_, i) => i + 1),
      );
    });

    it('has the presence of its subscribers back once Redis returned empty', async () => {
      const c = await sdk.connected();
      const s = await sub(c, 'pres:back');
      const [mine] = Object.keys((await s.presence()).clients);
      await redisDown();
      await server.restart();
      // The liveness refresh re-adds every live entry (each NODE_TTL_MS / 3).
      const back = await eventually(
        () => gateway.presence('pres:back'),
        (clients) => Object.keys(clients).length === 1,
        { withinMs: NODE_TTL_MS * 4, what: 'presence re-registered' },
      );
      assert.deepEqual(Object.keys(back), [mine]);
    });

    it('answers recovered:false while Redis is down and after it came back empty, never inventing positions', async () => {
      const live = await sdk.connected();
      const liveSub = live.newSubscription('rec:outage');
      const seen = collect(liveSub);
      await subscribed(liveSub);
      const resuming = await sdk.connected();
      const resumingSub = resuming.newSubscription('rec:outage');
      await subscribed(resumingSub);
      const first = await gateway.sendToRoom('rec:outage', 'stored');
      assert.equal(first.offset, 1);
      await seen.next('stored');

      await redisDown();
      assert.equal((await gateway.sendToRoom('rec:outage', 'during')).offset, undefined);
      assert.equal((await seen.next('during')).offset, undefined);
      // A resubscribe now cannot read history: its own position comes back, nothing invented.
      const again = nextSubscribed(resumingSub);
      resuming.disconnect();
      resuming.connect();
      const ctx = await again;
      assert.deepEqual([ctx.wasRecovering, ctx.recovered], [true, false]);
      assert.deepEqual(ctx.streamPosition, { offset: 1, epoch: first.epoch });

      // Redis came back empty: a new epoch, offsets from 1 again.
      const healed = await redisBack('rec:outage', 'after');
      assert.equal(healed.offset, 1);
      assert.notEqual(healed.epoch, first.epoch);
      const reread = await gateway.history('rec:outage', { limit: -1 });
      assert.deepEqual(
        reread.publications.map((p) => [p.offset, p.data]),
        [[1, 'after']],
      );
      // The position the client holds is of the lost epoch: not recovered, rather than mixed with the new one.
      const afterHeal = nextSubscribed(resumingSub);
      resuming.disconnect();
      resuming.connect();
      const healedCtx = await afterHeal;
      assert.deepEqual([healedCtx.wasRecovering, healedCtx.recovered], [true, false]);
      assert.equal(healedCtx.streamPosition?.epoch, healed.epoch);
    });
  },
);
