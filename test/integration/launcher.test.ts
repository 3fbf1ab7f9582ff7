/**
 * The launcher as tarsnode runs it: `launcher-main <app dir> -c <conf>` on a config with loopback endpoints and two
 * workers, with a fake tarsnode ServerObj (our TarsServer) receiving reportVersion and keepAlive. The test then uses
 * the server as the platform would: the chat port, AdminObj notify and shutdown, and PushObj.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ObjectProxy } from '../../src/tars/rpc/object-proxy.js';
import { TarsRpcError } from '../../src/tars/rpc/errors.js';
import { TarsServer } from '../../src/tars/rpc/tars-server.js';
import { AdminFProxy } from '../../src/platform/tars/generated/AdminF.js';
import { ServerFServant, type ServerInfo } from '../../src/platform/tars/generated/NodeF.js';
import { PushProxy } from '../../src/platform/tars/generated/Push.js';
import { TestClient } from '../support/gateway.js';
import { freePort } from '../support/free-port.js';
import { pushClient } from '../support/tarsnode/push-client.js';

const APP = 'Demo';
const SERVER = 'WsServer';
const ROOT = resolve('.');

/** A port that was free a moment ago (the config must name fixed ports, as tarsnode's does). */

/** tarsnode's ServerObj: records what the launcher reports. */
class FakeNode extends ServerFServant {
  readonly events = new EventEmitter();
  readonly versions: [string, string, string][] = [];
  readonly beats: ServerInfo[] = [];
  keepAlive(info: ServerInfo): number {
    this.beats.push(info);
    this.events.emit('beat', info);
    return 0;
  }
  keepActiving(): number {
    return 0;
  }
  reportVersion(app: string, server: string, version: string): number {
    this.versions.push([app, server, version]);
    this.events.emit('version');
    return 0;
  }
  /** Resolves once `adapter` has beaten `n` times in all. */
  async beatsOf(adapter: string, n: number): Promise<void> {
    while (this.beats.filter((b) => b.adapter === adapter).length < n) await once(this.events, 'beat');
  }
}

function tarsConf(p: { web: number; push: number; admin: number; node: number; logDir: string }): string {
  return `<tars>
  <application>
    enableset=n
    setdivision=NULL
    <client>
      sync-invoke-timeout=3000
      report-interval=60000
      asyncthread=3
      modulename=${APP}.${SERVER}
    </client>
    <server>
      app=${APP}
      server=${SERVER}
      localip=127.0.0.1
      local=tcp -h 127.0.0.1 -p ${p.admin} -t 10000
      logpath=${p.logDir}
      logLevel=INFO
      deactivating-timeout=4000
      node=tars.tarsnode.ServerObj@tcp -h 127.0.0.1 -p ${p.node} -t 60000
      <${APP}.${SERVER}.WsObjAdapter>
        allow
        endpoint=tcp -h 127.0.0.1 -p ${p.web} -t 60000
        maxconns=10240
        protocol=not_tars
        servant=${APP}.${SERVER}.WsObj
        threads=2
      </${APP}.${SERVER}.WsObjAdapter>
      <${APP}.${SERVER}.PushObjAdapter>
        endpoint=tcp -h 127.0.0.1 -p ${p.push} -t 60000
        protocol=tars
        servant=${APP}.${SERVER}.PushObj
        threads=1
      </${APP}.${SERVER}.PushObjAdapter>
    </server>
  </application>
</tars>
`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('launcher started as tarsnode starts it, with two workers', () => {
  const node = new FakeNode();
  const nodeServer = new TarsServer();
  const clients: TestClient[] = [];
  let dir = '';
  let logFile = '';
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let stderr = '';
  let webPort = 0;
  let pushPort = 0;
  let adminProxy: ObjectProxy;
  let admin: AdminFProxy;
  let pushProxy: ObjectProxy;
  let push: PushProxy;
  let workerPids: number[] = [];

  const wsUrl = (): string => `ws://127.0.0.1:${webPort}/`;

  /** Opens clients until one lands on the worker with `pid` (connections are handed out in turn). */
  async function clientOn(pid: number): Promise<TestClient> {
    for (let i = 0; i < 20; i++) {
      const c = await TestClient.open(wsUrl());
      clients.push(c);
      if (Number(await c.request('whoami')) === pid) return c;
    }
    throw new Error(`no connection landed on worker ${pid}`);
  }

  before(async () => {
    nodeServer.addServant('tars.tarsnode.ServerObj', node, ServerFServant.operations);
    const { port: nodePort } = await nodeServer.listen();
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    // Inside the repository, so the workers (cwd = app dir) resolve tsx from its node_modules.
    dir = mkdtempSync(join(ROOT, '.tmp', 'launcher-test-'));
    const appDir = join(dir, 'bin');
    mkdirSync(join(appDir, 'tars'), { recursive: true });
    writeFileSync(
      join(appDir, 'package.json'),
      JSON.stringify({
        name: 'chat-demo',
        version: '1.2.3',
        'tars-ws': { entry: join(ROOT, 'test/support/launcher-app.ts') },
      }),
    );
    writeFileSync(
      join(appDir, 'tars', 'tars.proto.json'),
      JSON.stringify({ appName: APP, serverName: SERVER, objName: 'WsObj' }),
    );
    const ports = { web: await freePort(), push: await freePort(), admin: await freePort() };
    webPort = ports.web;
    pushPort = ports.push;
    const logDir = join(dir, 'log');
    logFile = join(logDir, APP, SERVER, `${APP}.${SERVER}.log`);
    const conf = join(dir, `${APP}.${SERVER}.config.conf`);
    writeFileSync(conf, tarsConf({ ...ports, node: nodePort, logDir }));

    const firstBeat = once(node.events, 'beat');
    child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/platform/tars/launcher-main.ts'), appDir, '-c', conf],
      {
        cwd: dir,
        env: { ...process.env, TARS_WS_KEEPALIVE_INTERVAL_MS: '200' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    exited = new Promise((r) => child.once('exit', (code) => r(code)));
    // Never leave a cluster behind, even if this file fails before its after hook.
    process.once('exit', () => child.kill('SIGKILL'));
    const started = await Promise.race([firstBeat.then(() => true), exited.then(() => false)]);
    assert.ok(started, `launcher exited at start: ${stderr}`);

    adminProxy = new ObjectProxy(`${APP}.${SERVER}.AdminObj@tcp -h 127.0.0.1 -p ${ports.admin}`);
    admin = new AdminFProxy(adminProxy);
    pushProxy = new ObjectProxy(`${APP}.${SERVER}.PushObj@tcp -h 127.0.0.1 -p ${ports.push}`);
    push = new PushProxy(pushProxy);
    const status = (await admin.notify('tars.viewstatus')).ret;
    workerPids = [...status.matchAll(/^worker \d+ pid (\d+):/gm)].map((m) => Number(m[1]));
    assert.equal(workerPids.length, 2, status);
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await adminProxy?.close();
    await pushProxy?.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await nodeServer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports its version once to the node', () => {
    assert.deepEqual(node.versions, [[APP, SERVER, '1.2.3']]);
  });

  it('keeps every adapter alive with the launcher pid, again and again', async () => {
    for (const adapter of [
      `${APP}.${SERVER}.WsObjAdapter`,
      `${APP}.${SERVER}.PushObjAdapter`,
      'AdminAdapter',
    ]) {
      await node.beatsOf(adapter, 2);
    }
    for (const b of node.beats) {
      assert.equal(b.application, APP);
      assert.equal(b.serverName, SERVER);
      assert.equal(b.pid, child.pid);
    }
  });

  it('serves the chat on the configured port: a room message reaches both workers', async () => {
    const [p0, p1] = workerPids as [number, number];
    const a = await clientOn(p0);
    const b = await clientOn(p1);
    await a.subscribe('lobby');
    await b.subscribe('lobby');
    const got = Promise.all([a.waitFor('hello lobby'), b.waitFor('hello lobby')]);
    a.ws.send('sendByRoom|{"roomNum":"lobby","message":"hello lobby"}');
    await got;
  });

  it('answers one /metrics scrape with both workers, each labelled', async () => {
    const res = await fetch(`http://127.0.0.1:${webPort}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    assert.equal(res.status, 200, text.slice(0, 200));
    const workers = new Set(
      [...text.matchAll(/nodejs_heap_size_used_bytes\{worker="(\d+)"\}/g)].map((m) => m[1]),
    );
    assert.equal(workers.size, 2, `worker labels: ${[...workers].join(', ')}`);
  });

  it('answers tars.viewstatus with each worker and its connections', async () => {
    const { ret } = await admin.notify('tars.viewstatus');
    assert.match(ret, /^server: Demo\.WsServer$/m);
    assert.match(ret, /^workers: 2$/m);
    for (const pid of workerPids) assert.match(ret, new RegExp(`pid ${pid}: connections \\d+`));
  });

  it('answers tars.connection with the total and per-worker counts', async () => {
    const { ret } = await admin.notify('tars.connection');
    const total = Number(/^connections: (\d+)$/m.exec(ret)?.[1]);
    assert.equal(total, clients.length);
  });

  it('relays an application command to every worker', async () => {
    const { ret } = await admin.notify('chat.echo hi there');
    const lines = ret.split('\n');
    assert.equal(lines.length, 2);
    for (const pid of workerPids)
      assert.ok(lines.includes(`[worker ${workerPids.indexOf(pid)} pid ${pid}] echo hi there`), ret);
  });

  it('sets the log level of the launcher and the workers', async () => {
    assert.equal((await admin.notify('tars.setloglevel DEBUG')).ret, 'set log level [DEBUG] ok');
    assert.match((await admin.notify('tars.viewstatus')).ret, /log level debug/);
    assert.match((await admin.notify('tars.setloglevel LOUD')).ret, /unknown level "LOUD"/);
    await admin.notify('tars.setloglevel INFO');
  });

  it('says which commands exist when asked an unknown one', async () => {
    assert.match(
      (await admin.notify('no.such')).ret,
      /^unknown command "no\.such"; built-in commands: tars\.viewstatus/,
    );
    assert.match(
      (await admin.notify('tars.loadconfig x.conf')).ret,
      /x\.conf not found in .*; nothing changed$/,
    );
  });

  it('PushObj pushes to a room across both workers', async () => {
    const [p0, p1] = workerPids as [number, number];
    const a = await clientOn(p0);
    const b = await clientOn(p1);
    await a.subscribe('pushed');
    await b.subscribe('pushed');
    const got = Promise.all([a.waitFor('from tars'), b.waitFor('from tars')]);
    assert.deepEqual(await push.pushToRoom('pushed', 'from tars'), { ret: 0 });
    await got;
    const { members } = await push.roomMembers('pushed');
    assert.equal(new Set(members).size, 2, 'one member per worker');
    assert.deepEqual(await push.roomCount('pushed'), { ret: 2 });
    assert.ok((await push.roomList()).rooms.includes('pushed'));
  });

  it('PushObj pushes to everyone and to one connection', async () => {
    const [p0, p1] = workerPids as [number, number];
    const a = await clientOn(p0);
    const b = await clientOn(p1);
    await b.subscribe('solo');
    const all = Promise.all([a.waitFor('to all'), b.waitFor('to all')]);
    await push.pushToAll('to all');
    await all;
    const [conn] = (await push.roomMembers('solo')).members;
    assert.ok(conn !== undefined);
    const one = b.waitFor('just you');
    await push.pushToConnection(conn, 'just you');
    await one;
  });

  it('PushObj called by an @tars/rpc client reaches both workers', async () => {
    const [p0, p1] = workerPids as [number, number];
    const a = await clientOn(p0);
    const b = await clientOn(p1);
    await a.subscribe('official');
    await b.subscribe('official');
    const official = pushClient(`${APP}.${SERVER}.PushObj@tcp -h 127.0.0.1 -p ${pushPort}`);
    try {
      const got = Promise.all([a.waitFor('from @tars/rpc'), b.waitFor('from @tars/rpc')]);
      assert.equal(await official.pushToRoom('official', 'from @tars/rpc'), 0);
      await got;
      assert.equal(await official.roomCount('official'), 2);
    } finally {
      official.destroy();
    }
  });

  it('PushObj refuses a bad room and a too long message with the HTTP API status', async () => {
    await assert.rejects(push.pushToRoom('', 'x'), (e: unknown) => {
      assert.ok(e instanceof TarsRpcError);
      assert.equal(e.code, 400);
      assert.match(e.message, /^BAD_ROOM: /);
      return true;
    });
    await assert.rejects(push.pushToAll('x'.repeat(64 * 1024 + 1)), (e: unknown) => {
      assert.ok(e instanceof TarsRpcError);
      assert.equal(e.code, 400);
      assert.match(e.message, /^BAD_PARAM: /);
      return true;
    });
    await assert.rejects(push.pushToConnection(0n, 'x'), /BAD_PARAM/);
  });

  it('writes the launcher and worker logs under <logpath>/<App>/<Server>/', () => {
    assert.ok(existsSync(logFile));
    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { name?: string; pid?: number; msg?: string });
    assert.ok(lines.some((l) => l.name === 'tars-ws-launcher' && l.msg === 'launcher ready'));
    for (const pid of workerPids)
      assert.ok(
        lines.some((l) => l.pid === pid),
        `no log line of worker ${pid}`,
      );
  });

  it('AdminObj shutdown closes the clients with 1001 and ends every process', async () => {
    const c = clients.find((x) => x.ws.readyState === x.ws.OPEN)!;
    await admin.shutdown();
    assert.equal((await c.closed).code, 1001);
    assert.equal(await exited, 0);
    for (const pid of workerPids) assert.equal(isAlive(pid), false, `worker ${pid} still runs`);
  });
});

describe('launcher refusing to start', () => {
  it('exits 2 naming both servers when the package was built for another server', async () => {
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.tmp', 'launcher-test-'));
    try {
      const appDir = join(dir, 'bin');
      mkdirSync(join(appDir, 'tars'), { recursive: true });
      writeFileSync(join(appDir, 'package.json'), JSON.stringify({ main: 'main.js' }));
      writeFileSync(join(appDir, 'main.js'), '');
      writeFileSync(
        join(appDir, 'tars', 'tars.proto.json'),
        JSON.stringify({ appName: APP, serverName: 'ChatServer', objName: 'WsObj' }),
      );
      const conf = join(dir, 'x.conf');
      writeFileSync(conf, tarsConf({ web: 1, push: 2, admin: 3, node: 4, logDir: join(dir, 'log') }));
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'src/platform/tars/launcher-main.ts'), appDir, '-c', conf],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 2);
      assert.match(stderr, /Demo\.ChatServer\.WsObj but .*x\.conf is for server Demo\.WsServer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
