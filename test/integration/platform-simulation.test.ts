// The platform simulation: the deploy package goes through what tarsnode does (unpack, descend, copy into bin/,
// config file with loopback endpoints, the launcher's exact command line) and talks to framework services hosted by
// the official @tars/rpc server. TARS_WS_SIM_PACKAGE=<file.tgz> runs it on a package built elsewhere
// (`npm run deploy`); by default the test builds one with node_modules linked to the project's.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Communicator } from '../../src/tars/index.js';
import { deployPackage } from '../../src/platform/tars/deploy.js';
import { ServerFProxy } from '../../src/platform/tars/generated/NodeF.js';
import { PropertyFProxy } from '../../src/platform/tars/generated/PropertyF.js';
import { StatFProxy } from '../../src/platform/tars/generated/StatF.js';
import { eventually } from '../support/eventually.js';
import { TestClient } from '../support/gateway.js';
import { adminClient, type AdminClient } from '../support/tarsnode/admin-client.js';
import { startFramework, type Framework } from '../support/tarsnode/framework.js';
import { pushClient, type PushClient } from '../support/tarsnode/push-client.js';
import {
  descendantPids,
  freePort,
  installPackage,
  isAlive,
  serverConfigText,
  startServer,
  type InstalledPackage,
  type StartedServer,
} from '../support/tarsnode/tarsnode.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP = 'Demo';
const SERVER = 'WsServer';
const WORKERS = 2;
const KEEPALIVE_MS = 300;
// Real tarsnode calls `AdminObj@<server.local>` (TarsFramework's CommandNotify/CommandStop).
const ADMIN_OBJ = 'AdminObj';

describe(
  'platform simulation (tarsnode, official @tars/rpc framework services)',
  { timeout: 120_000 },
  () => {
    const scratch = mkdtempSync(join(tmpdir(), 'tars-ws-platform-'));
    const serverDir = join(scratch, 'tarsnode', 'data', `${APP}.${SERVER}`);
    const logPath = join(scratch, 'app_log');
    const logDir = join(logPath, APP, SERVER);
    const clients: TestClient[] = [];
    let framework: Framework | undefined;
    let pkg: InstalledPackage;
    let server: StartedServer | undefined;
    let admin: AdminClient | undefined;
    let push: PushClient | undefined;
    let wsPort = 0;
    let pushPort = 0;
    let localPort = 0;

    const adminObj = (): AdminClient => {
      admin ??= adminClient(`${ADMIN_OBJ}@tcp -h 127.0.0.1 -p ${localPort} -t 10000`);
      return admin;
    };
    /** Calls served per WebSocket command, summed over every reportMicMsg so far (server side: bFromClient false). */
    const servedCounts = (names: string[]): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const call of framework?.calls.reportMicMsg ?? []) {
        if (call.fromClient) continue;
        for (const { head, body } of call.entries) {
          if (head.masterName !== 'not_tars_client' || !names.includes(head.interfaceName)) continue;
          out[head.interfaceName] = (out[head.interfaceName] ?? 0) + body.count;
        }
      }
      return out;
    };
    const why = (): string => `\n--- launcher output ---\n${server?.output() ?? ''}`;

    before(async () => {
      const archive =
        process.env.TARS_WS_SIM_PACKAGE ??
        (await deployPackage({ root: ROOT, outDir: scratch, dependencies: 'link' })).archive;
      framework = await startFramework();
      pkg = await installPackage(archive, serverDir);
      [wsPort, pushPort, localPort] = [await freePort(), await freePort(), await freePort()];
      mkdirSync(join(serverDir, 'conf'), { recursive: true });
      mkdirSync(logDir, { recursive: true });
      const conf = join(serverDir, 'conf', `${APP}.${SERVER}.config.conf`);
      writeFileSync(
        conf,
        serverConfigText({
          app: APP,
          server: SERVER,
          wsObj: 'WsObj',
          pushObj: 'PushObj',
          locator: framework.locator,
          node: framework.node,
          stat: framework.statObj,
          property: framework.propertyObj,
          localPort,
          wsPort,
          pushPort,
          threads: WORKERS,
          reportIntervalMs: 1000,
          serverDir,
          logPath,
          deactivatingTimeoutMs: 5000,
        }),
      );
      // The launcher's test knobs: the platform's 10 s between keepAlives and between stat reports, shortened.
      server = startServer(pkg, conf, logDir, {
        TARS_WS_KEEPALIVE_INTERVAL_MS: String(KEEPALIVE_MS),
        TARS_WS_STAT_MIN_INTERVAL_MS: '1000',
      });
      await eventually(
        () => fetch(`http://127.0.0.1:${wsPort}/monitor/monitor`).then((r) => r.text()),
        (body) => body === '{"code":0}',
        { withinMs: 30_000, everyMs: 100, what: 'the gateway answering on the WsObj port' },
      ).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}${why()}`);
      });
    });

    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      admin?.destroy();
      push?.destroy();
      server?.kill();
      await framework?.stop();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('installs the package the way tarsnode does: bin/ holds the app and the launcher', () => {
      assert.equal(pkg.appDir, pkg.binDir);
      assert.ok(existsSync(pkg.launcher));
      assert.ok(existsSync(join(pkg.binDir, 'tars', 'tars.proto.json')));
    });

    it('reports its version once to the node', async () => {
      const calls = await eventually(
        () => framework?.calls.reportVersion ?? [],
        (c) => c.length > 0,
        { what: 'reportVersion' },
      );
      assert.equal(calls.length, 1);
      assert.equal(calls[0]?.app, APP);
      assert.equal(calls[0]?.serverName, SERVER);
      assert.notEqual(calls[0]?.version, '');
    });

    it('sends keepAlive again and again with the launcher pid for every adapter', async () => {
      const wsAdapter = `${APP}.${SERVER}.WsObjAdapter`;
      const calls = await eventually(
        () => framework?.calls.keepAlive ?? [],
        (c) => c.filter((k) => k.adapter === wsAdapter).length >= 2,
        { what: 'two keepAlive beats' },
      );
      for (const beat of calls) {
        assert.equal(beat.application, APP);
        assert.equal(beat.serverName, SERVER);
        assert.equal(beat.pid, server?.pid);
      }
      const adapters = new Set(calls.map((c) => c.adapter));
      assert.ok(adapters.has(`${APP}.${SERVER}.PushObjAdapter`), [...adapters].join(', '));
    });

    it(`runs ${WORKERS} workers; a room message and a broadcast reach clients on both`, async () => {
      // Connections go to whichever worker accepts them: open clients until both workers hold one.
      const perWorker = async (): Promise<number[]> => {
        const text = await adminObj().notify('tars.connection');
        return [...text.matchAll(/^worker \d+ pid \d+: (\d+) connections$/gm)].map((m) => Number(m[1]));
      };
      await eventually(
        async () => {
          const c = await TestClient.open(`ws://127.0.0.1:${wsPort}/`);
          clients.push(c);
          await c.subscribe('room1');
          return perWorker();
        },
        (counts) => counts.length === WORKERS && counts.every((n) => n > 0),
        { withinMs: 15_000, everyMs: 10, what: 'a connection on every worker' },
      );
      // The sender is a member too: its own copy may come before or after its reply.
      const sender = clients[0] as TestClient;
      const inRoom = clients.map((c) => c.waitFor('hello room1'));
      const roomAck = sender.waitFor('SendByRoom success!');
      sender.ws.send('sendByRoom|{"roomNum":"room1","message":"hello room1"}');
      await Promise.all([roomAck, ...inRoom]);
      const everyone = clients.map((c) => c.waitFor('hello all'));
      const broadcastAck = sender.waitFor('Broadcast success!');
      sender.ws.send('broadcast|{"message":"hello all"}');
      await Promise.all([broadcastAck, ...everyone]);
    });

    it('delivers PushObj calls of an @tars/rpc client to the browsers on every worker', async () => {
      push ??= pushClient(`${APP}.${SERVER}.PushObj@tcp -h 127.0.0.1 -p ${pushPort} -t 10000`);
      assert.equal(await push.roomCount('room1'), clients.length);
      const inRoom = clients.map((c) => c.waitFor('from a tars service'));
      assert.equal(await push.pushToRoom('room1', 'from a tars service'), 0);
      await Promise.all(inRoom);
      const everyone = clients.map((c) => c.waitFor('to all from a tars service'));
      assert.equal(await push.pushToAll('to all from a tars service'), 0);
      await Promise.all(everyone);
    });

    it('reports the WebSocket traffic it served to StatObj, each command counted once', async () => {
      // Reports go out every max(report-interval, minimum interval): 1 s here.
      const expected = { subscribe: clients.length, sendByRoom: 1, broadcast: 1 };
      const counted = await eventually(
        () => servedCounts(Object.keys(expected)),
        (c) => Object.entries(expected).every(([name, n]) => (c[name] ?? 0) >= n),
        { withinMs: 25_000, everyMs: 100, what: 'stat reports of the chat traffic' },
      );
      assert.deepEqual(counted, expected);
      const entry = framework?.calls.reportMicMsg
        .flatMap((call) => call.entries)
        .find((e) => e.head.interfaceName === 'subscribe');
      assert.equal(entry?.head.slaveName, `${APP}.${SERVER}`);
      assert.equal(entry?.head.slavePort, wsPort);
      assert.equal(entry?.head.returnValue, 0);
    });

    it('reports the connections property to PropertyObj', async () => {
      const entries = await eventually(
        () => (framework?.calls.reportPropMsg ?? []).flatMap((c) => c.entries),
        (e) => e.some((x) => x.head.propertyName === 'connections'),
        { withinMs: 15_000, everyMs: 100, what: 'the connections property' },
      );
      const connections = entries.find((x) => x.head.propertyName === 'connections');
      assert.equal(connections?.head.moduleName, `${APP}.${SERVER}`);
      assert.equal(connections?.head.iPropertyVer, 2);
      assert.deepEqual(connections?.body.vInfo.map((i) => i.policy).sort(), ['Avg', 'Max', 'Min']);
    });

    it('answers notify commands sent through AdminObj', async () => {
      const status = await adminObj().notify('tars.viewstatus');
      assert.match(status, new RegExp(`server: ${APP}\\.${SERVER}`));
      assert.match(status, new RegExp(`workers: ${WORKERS}`));
      assert.match(await adminObj().notify('tars.setloglevel INFO'), /set log level \[INFO\] ok/);
    });

    it('stops every process cleanly on AdminObj shutdown', async () => {
      const launcher = server?.pid ?? 0;
      const pids = [launcher, ...descendantPids(launcher)];
      assert.ok(pids.length > WORKERS, `the launcher and its ${WORKERS} workers run: ${pids.join(', ')}`);
      await adminObj().shutdown();
      const exit = await server?.exited;
      assert.equal(exit?.code, 0, `launcher exit ${JSON.stringify(exit)}${why()}`);
      // The last report goes out at shutdown: still every command once.
      assert.deepEqual(servedCounts(['subscribe', 'sendByRoom', 'broadcast']), {
        subscribe: clients.length,
        sendByRoom: 1,
        broadcast: 1,
      });
      await eventually(
        () => pids.filter(isAlive),
        (alive) => alive.length === 0,
        { withinMs: 10_000, what: 'every process gone' },
      );
      assert.ok(
        readdirSync(logDir).some((f) => f === `${APP}.${SERVER}.log`),
        'the log is under <logpath>/<App>/<Server>/',
      );
    });
  },
);

describe('the simulated framework services decode the platform calls of our Tars layer', () => {
  let framework: Framework;
  let comm: Communicator;
  before(async () => {
    framework = await startFramework();
    comm = new Communicator({ locator: framework.locator, timeout: 3000 });
  });
  after(async () => {
    await comm.close();
    await framework.stop();
  });

  it('receives keepAlive and reportVersion on the node', async () => {
    const node = comm.proxy(ServerFProxy, framework.node);
    assert.equal((await node.reportVersion(APP, SERVER, '1.0.0')).ret, 0);
    assert.equal(
      (await node.keepAlive({ application: APP, serverName: SERVER, pid: 42, adapter: 'A' })).ret,
      0,
    );
    assert.deepEqual(framework.calls.reportVersion, [{ app: APP, serverName: SERVER, version: '1.0.0' }]);
    assert.deepEqual(framework.calls.keepAlive, [
      { application: APP, serverName: SERVER, pid: 42, adapter: 'A' },
    ]);
  });

  it('resolves StatObj through the registry and receives reportMicMsg', async () => {
    const stat = comm.proxy(StatFProxy, framework.statObj);
    const head = {
      masterName: `${APP}.${SERVER}`,
      slaveName: `${APP}.${SERVER}`,
      interfaceName: 'ping',
      masterIp: '127.0.0.1',
      slaveIp: '127.0.0.1',
      slavePort: 8080,
      returnValue: 0,
      slaveSetName: '',
      slaveSetArea: '',
      slaveSetID: '',
      tarsVersion: '',
    };
    const body = {
      count: 3,
      timeoutCount: 0,
      execCount: 0,
      intervalCount: new Map([[5, 3]]),
      totalRspTime: 6n,
      maxRspTime: 3,
      minRspTime: 1,
    };
    assert.equal((await stat.reportMicMsg(new Map([[head, body]]), false)).ret, 0);
    assert.ok(framework.calls.registryAsked.includes(framework.statObj));
    const [call] = framework.calls.reportMicMsg;
    assert.equal(call?.fromClient, false);
    assert.deepEqual(call?.entries[0]?.head, head);
    assert.deepEqual(call?.entries[0]?.body, { ...body, intervalCount: { 5: 3 }, totalRspTime: 6 });
  });

  it('resolves PropertyObj through the registry and receives reportPropMsg', async () => {
    const property = comm.proxy(PropertyFProxy, framework.propertyObj);
    const head = {
      moduleName: `${APP}.${SERVER}`,
      ip: '127.0.0.1',
      propertyName: 'connections',
      setName: '',
      setArea: '',
      setID: '',
      sContainer: '',
      iPropertyVer: 2,
    };
    const body = { vInfo: [{ policy: 'Max', value: '7' }] };
    assert.equal((await property.reportPropMsg(new Map([[head, body]]))).ret, 0);
    const [call] = framework.calls.reportPropMsg;
    assert.equal(call?.entries[0]?.head.propertyName, 'connections');
    assert.deepEqual(call?.entries[0]?.body, body);
  });
});
