/**
 * The JSON protocol's history and presence commands over real sockets: `history` with since/limit/reverse,
 * `presence` and `presence_stats` (JSON and text clients counted), `subscribe` with `since` recovering what a
 * reconnecting client missed with no loss or duplicate at the seam, the refusals (rooms without history or presence,
 * namespaced channels, a position of another epoch), the text protocol unchanged; and two nodes on Redis sharing
 * presence and history positions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CHANNEL_OPTIONS, ErrorCode, type Gateway } from '../../src/index.js';
import { MemoryHistoryStore } from '../../src/history/history-store-memory.js';
import type { ReadOptions, ReadResult } from '../../src/history/history-store.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { startGateway, TestClient, wsUrl } from '../support/gateway.js';
import { findRedis, stopSharedRedis, uniquePrefix, wipePrefix } from '../support/redis-server.js';
import { turn, TurnPublisher } from '../support/turn-publisher.js';

interface Reply {
  id?: number;
  cmd?: string;
  ok: boolean;
  data?: unknown;
  error?: { code: string; message: string };
}
interface HistoryData {
  room: string;
  epoch: string;
  offset: number;
  recovered?: boolean;
  publications: { offset: number; message: string }[];
}

const KEEPING = {
  ...DEFAULT_CHANNEL_OPTIONS,
  presence: true,
  historySize: 50,
  historyTtlMs: 60_000,
};

/**
 * Reads a few event-loop turns late, as a networked engine would: in-process memory reads resolve before any other
 * I/O, so without this no publication could ever race a subscribe's read.
 */
class LateReads extends MemoryHistoryStore {
  override async read(channel: string, options?: ReadOptions): Promise<ReadResult> {
    for (let i = 0; i < 3; i++) await turn();
    return super.read(channel, options);
  }
}

describe('JSON protocol history and presence', () => {
  let gateway: Gateway;
  let plain: Gateway;
  const clients: TestClient[] = [];
  let nextId = 1;

  const open = async (g: Gateway = gateway, protocol = 'tars-ws.json'): Promise<TestClient> => {
    const c = await TestClient.open(wsUrl(g), protocol);
    clients.push(c);
    return c;
  };
  /** Sends a JSON command and resolves with the reply of its id (pushes in between are skipped). */
  const ask = async (c: TestClient, cmd: string, data: unknown): Promise<Reply> => {
    const id = nextId++;
    const reply = c.waitFor((m) => (JSON.parse(m) as Reply).id === id);
    c.ws.send(JSON.stringify({ cmd, data, id }));
    return JSON.parse(await reply) as Reply;
  };

  before(async () => {
    gateway = await startGateway(
      {
        channelDefaults: KEEPING,
        namespaces: [{ ...DEFAULT_CHANNEL_OPTIONS, name: 'chat', presence: true }],
      },
      { history: new LateReads() },
    );
    plain = await startGateway();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([gateway.close(), plain.close()]);
  });

  it('answers history with the publications (offset, message) and the stream position, with since, limit and reverse', async () => {
    for (let i = 1; i <= 5; i++) await gateway.sendToRoom('h1', `m${i}`);
    const c = await open();
    const all = await ask(c, 'history', { room: 'h1', limit: 10 });
    assert.equal(all.ok, true, JSON.stringify(all));
    const page = all.data as HistoryData;
    assert.equal(page.room, 'h1');
    assert.equal(page.offset, 5);
    assert.equal(typeof page.epoch, 'string');
    assert.deepEqual(
      page.publications,
      [1, 2, 3, 4, 5].map((n) => ({ offset: n, message: `m${n}` })),
    );
    const since = (await ask(c, 'history', { room: 'h1', since: { offset: 3, epoch: page.epoch } }))
      .data as HistoryData;
    assert.deepEqual(
      since.publications.map((p) => p.offset),
      [4, 5],
    );
    const last = (await ask(c, 'history', { room: 'h1', limit: 2, reverse: true })).data as HistoryData;
    assert.deepEqual(
      last.publications.map((p) => p.message),
      ['m5', 'm4'],
    );
    const position = (await ask(c, 'history', { room: 'h1', limit: 0 })).data as HistoryData;
    assert.deepEqual(position.publications, []);
    assert.equal(position.offset, 5);
  });

  it('refuses a history position of another epoch with UNRECOVERABLE_POSITION', async () => {
    await gateway.sendToRoom('h2', 'x');
    const c = await open();
    const r = await ask(c, 'history', { room: 'h2', since: { offset: 1, epoch: 'not-the-epoch' } });
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, ErrorCode.UnrecoverablePosition);
  });

  it('refuses malformed history queries with BAD_PARAM and a room without a name with MISSING_FIELD', async () => {
    const c = await open();
    assert.equal((await ask(c, 'history', { room: 'h3', limit: -1 })).error?.code, ErrorCode.BadParam);
    assert.equal(
      (await ask(c, 'history', { room: 'h3', since: { offset: 'a' } })).error?.code,
      ErrorCode.BadParam,
    );
    assert.equal((await ask(c, 'history', { room: 'h3', reverse: 'yes' })).error?.code, ErrorCode.BadParam);
    assert.equal((await ask(c, 'history', {})).error?.code, ErrorCode.MissingField);
  });

  it('lists who is in a room (JSON and text clients, as anonymous users) and counts them', async () => {
    const a = await open();
    const b = await open();
    const text = await open(gateway, 'tars-ws.text');
    await ask(a, 'subscribe', 'p1');
    await ask(b, 'subscribe', 'p1');
    await text.subscribe('p1');
    const r = await ask(a, 'presence', { room: 'p1' });
    assert.equal(r.ok, true, JSON.stringify(r));
    const { room, clients: present } = r.data as {
      room: string;
      clients: { user: string; client: string }[];
    };
    assert.equal(room, 'p1');
    assert.equal(present.length, 3);
    for (const p of present) {
      assert.deepEqual(Object.keys(p).sort(), ['client', 'user']);
      assert.equal(p.user, '');
      assert.match(p.client, /^\d+$/);
    }
    const stats = await ask(a, 'presence_stats', { room: 'p1' });
    assert.deepEqual(stats.data, { room: 'p1', numClients: 3, numUsers: 1 });
    await ask(b, 'unsubscribe', 'p1');
    assert.deepEqual((await ask(a, 'presence_stats', { room: 'p1' })).data, {
      room: 'p1',
      numClients: 2,
      numUsers: 1,
    });
  });

  it('answers NOT_AVAILABLE for a room that keeps no history or presence', async () => {
    const c = await open(plain);
    for (const cmd of ['history', 'presence', 'presence_stats']) {
      const r = await ask(c, cmd, { room: 'plain' });
      assert.equal(r.ok, false, cmd);
      assert.equal(r.error?.code, ErrorCode.NotAvailable, cmd);
    }
    const since = await ask(c, 'subscribe', { room: 'plain', since: { offset: 0, epoch: '' } });
    assert.equal(since.error?.code, ErrorCode.NotAvailable);
  });

  it('refuses namespaced and $ channels with FORBIDDEN, as subscribe does', async () => {
    const c = await open();
    assert.equal((await ask(c, 'presence', { room: 'chat:lobby' })).error?.code, ErrorCode.Forbidden);
    assert.equal((await ask(c, 'history', { room: '$secret' })).error?.code, ErrorCode.Forbidden);
  });

  it('pushes carry offset and epoch in rooms with history', async () => {
    const c = await open();
    await ask(c, 'subscribe', 'o1');
    const push = c.waitFor((m) => m.includes('"push"'));
    await gateway.sendToRoom('o1', 'hello');
    const { push: body } = JSON.parse(await push) as { push: Record<string, unknown> };
    assert.equal(body['message'], 'hello');
    assert.equal(body['offset'], 1);
    assert.equal(typeof body['epoch'], 'string');
  });

  it('recovers what a reconnecting client missed with subscribe since, then goes on live', async () => {
    const first = await open();
    await ask(first, 'subscribe', 'r1');
    const seen = first.waitFor((m) => m.includes('"before"'));
    await gateway.sendToRoom('r1', 'before');
    const { offset, epoch } = (JSON.parse(await seen) as { push: { offset: number; epoch: string } }).push;
    await first.close();
    await gateway.sendToRoom('r1', 'missed 1');
    await gateway.sendToRoom('r1', 'missed 2');

    const again = await open();
    const r = await ask(again, 'subscribe', { room: 'r1', since: { offset, epoch } });
    assert.equal(r.ok, true, JSON.stringify(r));
    const data = r.data as HistoryData;
    assert.equal(data.recovered, true);
    assert.deepEqual(data.publications, [
      { offset: offset + 1, message: 'missed 1' },
      { offset: offset + 2, message: 'missed 2' },
    ]);
    const live = again.waitFor((m) => m.includes('"live"'));
    await gateway.sendToRoom('r1', 'live');
    assert.equal((JSON.parse(await live) as { push: { offset: number } }).push.offset, offset + 3);
  });

  it("answers recovered false with the current position when the epoch is not the room's", async () => {
    await gateway.sendToRoom('r2', 'one');
    const c = await open();
    const r = await ask(c, 'subscribe', { room: 'r2', since: { offset: 1, epoch: 'gone' } });
    const data = r.data as HistoryData;
    assert.equal(data.recovered, false);
    assert.deepEqual(data.publications, []);
    assert.equal(data.offset, 1);
  });

  it('loses and repeats nothing when publications race a subscribe since (10 rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      const room = `seam${round}`;
      const publisher = new TurnPublisher(gateway, room);
      await publisher.reach(5);
      const { epoch } = await gateway.history(room, { limit: 0 });
      const c = await open();
      const offsets: number[] = [];
      const id = nextId++;
      c.ws.on('message', (raw: Buffer) => {
        const frame = JSON.parse(raw.toString()) as Reply & { push?: { offset: number } };
        if (frame.id === id) for (const p of (frame.data as HistoryData).publications) offsets.push(p.offset);
        else if (frame.push) offsets.push(frame.push.offset);
      });
      c.ws.send(JSON.stringify({ cmd: 'subscribe', data: { room, since: { offset: 0, epoch } }, id }));
      await publisher.reach(publisher.published + 20);
      await publisher.stop();
      await publisher.expectSeen(offsets, `round ${round}`);
      await c.close();
    }
  });

  it('leaves the text protocol as it was: the new commands get the unknown-command reply', async () => {
    const text = await open(gateway, 'tars-ws.text');
    assert.equal(await text.request('history|{"room":"h1"}'), 'Rsp from server: this is server');
    assert.equal(await text.request('presence|{"room":"p1"}'), 'Rsp from server: this is server');
    assert.equal(await text.request('presence_stats|{"room":"p1"}'), 'Rsp from server: this is server');
    // A text payload is a room name, whatever it looks like.
    assert.equal(
      await text.request('subscribe|{"room":"h1","since":{"offset":0,"epoch":""}}'),
      'Subscribe roomNum:{"room":"h1","since":{"offset":0,"epoch":""}} success!',
    );
  });
});

const redis = await findRedis();
after(stopSharedRedis);

describeOrSkip('JSON protocol history and presence across two nodes on Redis', { skip: redis.skip }, () => {
  const prefix = uniquePrefix('json-history');
  const nodes: Gateway[] = [];
  const clients: TestClient[] = [];
  let nextId = 1;
  const ask = async (c: TestClient, cmd: string, data: unknown): Promise<Reply> => {
    const id = nextId++;
    const reply = c.waitFor((m) => (JSON.parse(m) as Reply).id === id);
    c.ws.send(JSON.stringify({ cmd, data, id }));
    return JSON.parse(await reply) as Reply;
  };
  const open = async (g: Gateway): Promise<TestClient> => {
    const c = await TestClient.open(wsUrl(g), 'tars-ws.json');
    clients.push(c);
    return c;
  };

  before(async () => {
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await startGateway({
          roomStore: 'redis',
          broker: 'redis',
          historyEngine: 'redis',
          presenceEngine: 'redis',
          redisUrl: redis.url ?? '',
          redisKeyPrefix: prefix,
          channelDefaults: KEEPING,
        }),
      );
    }
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(nodes.map((g) => g.close()));
    await wipePrefix(redis.url ?? '', prefix);
  });

  it('shows the members of both nodes and resumes on one node from a position seen on the other', async () => {
    const [a, b] = nodes as [Gateway, Gateway];
    const onA = await open(a);
    const onB = await open(b);
    await ask(onA, 'subscribe', 'n1');
    await ask(onB, 'subscribe', 'n1');
    assert.deepEqual((await ask(onA, 'presence_stats', { room: 'n1' })).data, {
      room: 'n1',
      numClients: 2,
      numUsers: 1,
    });
    const seen = onA.waitFor((m) => m.includes('"first"'));
    await b.sendToRoom('n1', 'first');
    const { offset, epoch } = (JSON.parse(await seen) as { push: { offset: number; epoch: string } }).push;
    await onA.close();
    await b.sendToRoom('n1', 'while away');
    const back = await open(b);
    const r = await ask(back, 'subscribe', { room: 'n1', since: { offset, epoch } });
    assert.deepEqual(r.data, {
      room: 'n1',
      recovered: true,
      epoch,
      offset: offset + 1,
      publications: [{ offset: offset + 1, message: 'while away' }],
    });
  });
});
