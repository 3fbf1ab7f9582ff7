/**
 * PushObj in a single process started with a Tars config (`-c FILE.conf`, no launcher): runGateway hosts it on the
 * config's PushObj adapter next to the WebSocket port, and Tars calls reach the browsers' connections.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createChatApp } from '../../examples/chat/app.js';
import {
  currentTarsConfig,
  describeChanges,
  loadConfig,
  reloadGatewayConfig,
  runGateway,
  type Gateway,
  type GatewayConfig,
} from '../../src/index.js';
import { PUSH_OBJ_TOKEN_KEY } from '../../src/platform/tars/push-access.js';
import { TarsRpcError } from '../../src/tars/rpc/errors.js';
import { ObjectProxy } from '../../src/tars/rpc/object-proxy.js';
import { PushProxy } from '../../src/platform/tars/generated/Push.js';
import { TestClient } from '../support/gateway.js';
import { freePort } from '../support/free-port.js';

/** A single process with a Tars config whose PushObj adapter may carry an `allow` line. */
interface PushHost {
  dir: string;
  gateway: Gateway;
  proxy: ObjectProxy;
  push: PushProxy;
  stop(): Promise<void>;
}

async function startPushHost(
  options: {
    allow?: string;
    overrides?: Partial<GatewayConfig>;
    defaultContext?: Record<string, string>;
  } = {},
): Promise<PushHost> {
  const dir = mkdtempSync(join(tmpdir(), 'tars-ws-push-'));
  const [web, pushPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'Demo.WsServer.config.conf');
  const allow = options.allow === undefined ? '' : `allow=${options.allow}\n`;
  writeFileSync(
    conf,
    `<tars>
<application>
<server>
app=Demo
server=WsServer
logLevel=ERROR
<Demo.WsServer.WsObjAdapter>
endpoint=tcp -h 127.0.0.1 -p ${web} -t 60000
protocol=not_tars
servant=Demo.WsServer.WsObj
threads=1
</Demo.WsServer.WsObjAdapter>
<Demo.WsServer.PushObjAdapter>
${allow}endpoint=tcp -h 127.0.0.1 -p ${pushPort} -t 60000
protocol=tars
servant=Demo.WsServer.PushObj
</Demo.WsServer.PushObjAdapter>
</server>
</application>
</tars>
`,
  );
  const config = loadConfig({
    env: {},
    argv: ['-c', conf],
    overrides: { heartbeatIntervalMs: 0, ...options.overrides },
  });
  assert.equal(currentTarsConfig()?.app, 'Demo');
  const running = await runGateway(config, createChatApp);
  if (running.role !== 'single') throw new Error(`expected a single process, got ${running.role}`);
  const gateway = running.gateway;
  assert.equal(gateway.address.port, web);
  const proxy = new ObjectProxy(`Demo.WsServer.PushObj@tcp -h 127.0.0.1 -p ${pushPort}`);
  return {
    dir,
    gateway,
    proxy,
    push: new PushProxy(proxy),
    stop: async () => {
      await proxy.close();
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts a PushObj refusal: iRet is the HTTP status, the description starts with the error code. */
function refused(status: number, code: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof TarsRpcError, String(e));
    assert.equal(e.code, status);
    assert.match(e.message, new RegExp(`^${code}: `));
    return true;
  };
}

describe('PushObj of a single process started with a Tars config', () => {
  let host: PushHost;
  let gateway: Gateway;
  let push: PushProxy;
  const clients: TestClient[] = [];

  before(async () => {
    host = await startPushHost();
    ({ gateway, push } = host);
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await host.stop();
  });

  async function member(room: string): Promise<TestClient> {
    const c = await TestClient.open(`ws://127.0.0.1:${gateway.address.port}/`);
    clients.push(c);
    await c.subscribe(room);
    return c;
  }

  it('pushes to the members of a room and lists them', async () => {
    const a = await member('r1');
    const b = await member('r1');
    const got = Promise.all([a.waitFor('hi r1'), b.waitFor('hi r1')]);
    assert.deepEqual(await push.pushToRoom('r1', 'hi r1'), { ret: 0 });
    await got;
    const { ret, members } = await push.roomMembers('r1');
    assert.equal(ret, 0);
    assert.equal(members.length, 2);
    assert.deepEqual(await push.roomCount('r1'), { ret: 2 });
    assert.deepEqual((await push.roomList()).rooms, ['r1']);
  });

  it('pushes to one connection by the id roomMembers gave', async () => {
    const c = await member('alone');
    const [id] = (await push.roomMembers('alone')).members;
    assert.ok(id !== undefined);
    const got = c.waitFor('only you');
    await push.pushToConnection(id, 'only you');
    await got;
  });

  it('pushes to every connection', async () => {
    const a = await member('x');
    const got = a.waitFor('everyone');
    await push.pushToAll('everyone');
    await got;
  });

  it('answers an empty list for a room nobody is in', async () => {
    assert.deepEqual(await push.roomMembers('nobody'), { ret: 0, members: [] });
    assert.deepEqual(await push.roomCount('nobody'), { ret: 0 });
  });

  it('refuses a room name that is too long with 400 BAD_ROOM', async () => {
    await assert.rejects(push.pushToRoom('r'.repeat(129), 'x'), refused(400, 'BAD_ROOM'));
  });

  it('refuses a connection id beyond 2^53 with 400 BAD_PARAM', async () => {
    await assert.rejects(push.pushToConnection(2n ** 60n, 'x'), (e: unknown) => {
      assert.ok(e instanceof TarsRpcError);
      assert.equal(e.code, 400);
      assert.match(e.message, /^BAD_PARAM: connection id/);
      return true;
    });
  });
});

describe("PushObj restricted by its adapter's allow list", () => {
  let host: PushHost;
  before(async () => {
    host = await startPushHost({ allow: '10.255.*.*;192.0.2.1' });
  });
  after(() => host.stop());

  it('refuses pushes from an address outside the list with 403 FORBIDDEN', async () => {
    await assert.rejects(host.push.pushToRoom('r1', 'x'), refused(403, 'FORBIDDEN'));
    await assert.rejects(host.push.pushToAll('x'), refused(403, 'FORBIDDEN'));
  });

  it('refuses the reads too, so room names and members do not leak', async () => {
    await assert.rejects(host.push.roomList(), refused(403, 'FORBIDDEN'));
    await assert.rejects(host.push.roomMembers('r1'), refused(403, 'FORBIDDEN'));
  });

  it('still answers tars_ping, which says nothing about rooms', async () => {
    await host.proxy.invoke(
      'tars_ping',
      () => undefined,
      () => undefined,
    );
  });
});

describe('PushObj restricted by pushObjToken', () => {
  let host: PushHost;
  before(async () => {
    host = await startPushHost({ overrides: { pushObjToken: 'first-token' } });
  });
  after(() => host.stop());
  const withToken = (token: string): { context: Record<string, string> } => ({
    context: { [PUSH_OBJ_TOKEN_KEY]: token },
  });

  it('refuses a call without the token in its context with 401 UNAUTHORIZED', async () => {
    await assert.rejects(host.push.pushToAll('x'), refused(401, 'UNAUTHORIZED'));
    await assert.rejects(host.push.roomCount('r1'), refused(401, 'UNAUTHORIZED'));
  });

  it('refuses a wrong token', async () => {
    await assert.rejects(host.push.pushToAll('x', withToken('first-tokem')), refused(401, 'UNAUTHORIZED'));
  });

  it('serves a call that carries the token', async () => {
    assert.deepEqual(await host.push.roomCount('r1', withToken('first-token')), { ret: 0 });
  });
});

describe('PushObj token changed by tars.loadconfig', () => {
  let host: PushHost;
  before(async () => {
    host = await startPushHost();
  });
  after(() => host.stop());

  it('asks for the token from the next call on', async () => {
    assert.deepEqual(await host.push.roomCount('r1'), { ret: 0 });
    const file = join(host.dir, 'tars-ws.json');
    writeFileSync(file, JSON.stringify({ pushObjToken: 'new-token' }));
    assert.equal(describeChanges(reloadGatewayConfig(host.gateway, file)), 'applied: pushObjToken (changed)');
    await assert.rejects(host.push.roomCount('r1'), refused(401, 'UNAUTHORIZED'));
    assert.deepEqual(await host.push.roomCount('r1', { context: { [PUSH_OBJ_TOKEN_KEY]: 'new-token' } }), {
      ret: 0,
    });
  });
});
