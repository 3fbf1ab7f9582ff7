/**
 * A gateway built the way an application builds one, from the package entry only: Gateway.create(loadConfig()),
 * the library's room commands, its own handlers, controllers and routes, and the push operations. No example code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloseCode,
  Controller,
  ErrorCode,
  Gateway,
  GatewayError,
  loadConfig,
  registerRoomCommands,
  type Connection,
} from '../../src/index.js';
import { TestClient, wsUrl } from '../support/gateway.js';

const TOKEN = 'library-test-token';

/** The README's library example, as written there. */
class StatusController extends Controller {
  async actionRoom(): Promise<{ members: number[] }> {
    return { members: await this.gateway.members(this.gateway.checkRoom(this.required('room'))) };
  }
}

/** An application's own push endpoint: the send path checks the token, the room and the size. */
class NotifyController extends Controller {
  async actionRoom(): Promise<string> {
    await this.pushToRoom(this.param('room'), this.param('text'));
    return 'sent';
  }
}

async function http(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: string; json: () => unknown }> {
  const res = await fetch(url, init);
  const body = await res.text();
  return { status: res.status, body, json: () => JSON.parse(body) as unknown };
}

describe('a Gateway built with the library API', () => {
  let gateway: Gateway;
  const opened: Connection[] = [];
  const clients: TestClient[] = [];
  const open = async (protocol?: string): Promise<TestClient> => {
    const c = await TestClient.open(wsUrl(gateway), protocol);
    clients.push(c);
    return c;
  };

  before(async () => {
    gateway = await Gateway.create(
      loadConfig({
        env: {},
        overrides: { port: 0, logLevel: 'silent', heartbeatIntervalMs: 0, drainMs: 0, pushToken: TOKEN },
      }),
    );
    registerRoomCommands(gateway);
    gateway.onMessage('whoami', (ctx) => `you are connection ${ctx.conn.id}`);
    gateway.onMessage('join', async (ctx) => {
      const { room } = ctx.object();
      await ctx.gateway.join(ctx.conn, ctx.gateway.checkRoom(room));
      return `joined ${String(room)}`;
    });
    gateway.onMessage('fail', () => {
      throw new GatewayError(ErrorCode.BadParam, 'this command always fails');
    });
    gateway.controller('Status', StatusController);
    gateway.controller('Notify', NotifyController);
    gateway.route('/app/connections', () => ({ count: gateway.connectionCount }));
    gateway.authorizePush((caller, push) => {
      if (caller.kind === 'client' && push.kind === 'room' && push.room === 'announcements') {
        throw new GatewayError(ErrorCode.Forbidden, 'only the server announces');
      }
    });
    gateway.on('open', (conn) => opened.push(conn));
    await gateway.listen();
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gateway.close();
  });

  it('answers its own commands and the library room commands', async () => {
    const c = await open();
    assert.equal(await c.request('ping'), 'pong');
    assert.match(await c.request('whoami'), /^you are connection \d+$/);
    assert.equal(await c.request('join|{"room":"lib-1"}'), 'joined lib-1');
    assert.equal(await c.request('subscribe|lib-2'), 'Subscribe roomNum:lib-2 success!');
  });

  it('turns a GatewayError thrown by a handler into an error frame and keeps the connection', async () => {
    const c = await open();
    assert.equal(await c.request('fail'), 'error|{"code":"BAD_PARAM","message":"this command always fails"}');
    assert.equal(await c.request('ping'), 'pong');
  });

  it('speaks JSON to a client that asks for it, with the same handlers', async () => {
    const c = await open('tars-ws.json');
    const reply = JSON.parse(
      await c.request('{"cmd":"join","data":{"room":"lib-json"},"id":"a"}'),
    ) as unknown;
    assert.deepEqual(reply, { id: 'a', cmd: 'join', ok: true, data: 'joined lib-json' });
  });

  it('pushes from application code to a room, to everyone and to one connection', async () => {
    const [member, other] = [await open(), await open()];
    await member.subscribe('lib-push');
    const conn = opened.at(-2);
    assert.ok(conn, 'the open event gave the connections');

    const toRoom = member.waitFor('room news');
    await gateway.sendToRoom('lib-push', 'room news');
    await toRoom;

    const atMember = member.waitFor('all news');
    const atOther = other.waitFor('all news');
    await gateway.broadcast('all news');
    await Promise.all([atMember, atOther]);

    const direct = member.waitFor('just you');
    await gateway.sendTo(conn.id, 'just you');
    await direct;
    // `other` saw the broadcast after the room push: had it got the room push, it would have come first.
    assert.deepEqual(other.received, ['all news']);
  });

  it('gives every receiver of one protocol the same frame, and each protocol its own', async () => {
    const texts = [await open(), await open()];
    const jsons = [await open('tars-ws.json'), await open('tars-ws.json')];
    for (const c of texts) await c.subscribe('lib-mixed');
    for (const c of jsons) await c.request('{"cmd":"subscribe","data":"lib-mixed"}');
    const got = [...texts, ...jsons].map((c) => c.waitFor(() => true));
    await gateway.sendToRoom('lib-mixed', 'same for all');
    const [t1, t2, j1, j2] = await Promise.all(got);
    assert.equal(t1, 'same for all');
    assert.equal(t2, t1);
    assert.equal(j1, '{"push":{"message":"same for all","room":"lib-mixed"}}');
    assert.equal(j2, j1);
  });

  it('serves its controllers and routes (the README example among them)', async () => {
    const c = await open();
    await c.subscribe('lib-status');
    const status = await http(`${gateway.url}/Status/room?room=lib-status`);
    assert.equal(status.status, 200);
    const { members } = status.json() as { members: number[] };
    assert.equal(members.length, 1);
    const route = await http(`${gateway.url}/app/connections`);
    assert.equal((route.json() as { count: number }).count, gateway.connectionCount);
  });

  it("checks the push token on the application's own push endpoint, then the room and the message", async () => {
    const c = await open();
    await c.subscribe('lib-notify');
    const url = `${gateway.url}/Notify/room?room=lib-notify&text=hello`;
    assert.equal((await http(url)).status, 401);
    assert.equal((await http(url, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const got = c.waitFor('hello');
    const ok = await http(url, auth);
    assert.deepEqual([ok.status, ok.body], [200, 'sent']);
    await got;
    const badRoom = await http(`${gateway.url}/Notify/room?room=&text=x`, auth);
    assert.equal((badRoom.json() as { error: { code: string } }).error.code, ErrorCode.BadRoom);
    const noText = await http(`${gateway.url}/Notify/room?room=lib-notify`, auth);
    assert.equal((noText.json() as { error: { code: string } }).error.code, ErrorCode.MissingField);
  });

  it('runs its push policies for every caller: a client is refused, the server is not', async () => {
    const [listener, sender] = [await open(), await open()];
    await listener.subscribe('announcements');
    assert.equal(
      await sender.request('sendByRoom|{"roomNum":"announcements","message":"spoofed"}'),
      'error|{"code":"FORBIDDEN","message":"only the server announces"}',
    );
    const real = listener.waitFor('official');
    await gateway.sendToRoom('announcements', 'official');
    await real;
    assert.ok(!listener.received.includes('spoofed'));
  });

  it('validates pushes from application code too', async () => {
    await assert.rejects(
      gateway.sendToRoom('', 'x'),
      (err: unknown) => err instanceof GatewayError && err.code === ErrorCode.BadRoom,
    );
    await assert.rejects(
      gateway.broadcast('x'.repeat(gateway.config.maxMessageLength + 1)),
      (err: unknown) => err instanceof GatewayError && err.code === ErrorCode.BadParam,
    );
    await assert.rejects(
      gateway.sendTo(-1, 'x'),
      (err: unknown) => err instanceof GatewayError && err.code === ErrorCode.BadParam,
    );
  });
});

describe('closing a library-built Gateway', () => {
  it('closes its clients with 1001 and stops listening', async () => {
    const gateway = await Gateway.create(
      loadConfig({ env: {}, overrides: { port: 0, logLevel: 'silent', heartbeatIntervalMs: 0, drainMs: 0 } }),
    );
    registerRoomCommands(gateway);
    await gateway.listen();
    const url = wsUrl(gateway);
    const c = await TestClient.open(url);
    await gateway.close();
    assert.equal((await c.closed).code, CloseCode.GoingAway);
    await assert.rejects(TestClient.open(url));
  });
});
