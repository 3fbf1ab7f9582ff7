// The platform simulation: the deploy package goes through what tarsnode does (unpack, copy into bin/, config file
// with loopback endpoints, the launcher's exact command line) and talks to framework services hosted by the
// official @tars/rpc server; the whole run on tarsnode v3.0.5+, a start and a stop on the older generations.
// TARS_WS_SIM_PACKAGE=<file.tgz> runs it on a package built elsewhere (`npm run deploy`); by default the test builds
// one with node_modules linked to the project's, and a two-line `tars_nodejs/node` that runs this node (so that the
// package is small and the generations that need a shipped binary can start it).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  type TarsnodeGeneration,
} from '../support/tarsnode/tarsnode.js';
import { describeOrSkip } from '../support/describe-or-skip.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP = 'Demo';
const SERVER = 'WsServer';
const WORKERS = 2;
const KEEPALIVE_MS = 300;
// Real tarsnode calls `AdminObj@<server.local>` (TarsFramework's CommandNotify/CommandStop).
const ADMIN_OBJ = 'AdminObj';

const buildDir = mkdtempSync(join(tmpdir(), 'tars-ws-platform-pkg-'));
after(() => rmSync(buildDir, { recursive: true, force: true }));
let built: Promise<string> | undefined;
/** The package every simulation installs, built once. */
function deployArchive(): Promise<string> {
  const given = process.env.TARS_WS_SIM_PACKAGE;
  if (given !== undefined) return Promise.resolve(given);
  const node = join(buildDir, 'node');
  writeFileSync(node, `#!/bin/sh\nexec '${process.execPath}' "$@"\n`);
  chmodSync(node, 0o755);
  built ??= deployPackage({ root: ROOT, outDir: buildDir, dependencies: 'link', node }).then(
    (r) => r.archive,
  );
  return built;
}
/** Why a package given in TARS_WS_SIM_PACKAGE cannot run on a tarsnode that needs `tars_nodejs/node`. */
function withoutBundledNode(): string | false {
  const given = process.env.TARS_WS_SIM_PACKAGE;
  if (given === undefined) return false;
  const entries = execFileSync('tar', ['-tzf', given], { encoding: 'utf8' }).split('\n');
  const bundled = entries.some((e) => e.replace(/^\.\//, '') === `${SERVER}/${SERVER}/tars_nodejs/node`);
  return bundled ? false : `${given} ships no tars_nodejs/node, which tarsnode before v3.0.5 runs`;
}

/** The ports and folders of one simulated server; `conf` is the config file tarsnode wrote. */
interface SimServer {
  serverDir: string;
  logDir: string;
  conf: string;
  wsPort: number;
  pushPort: number;
  localPort: number;
}

/** Writes the config tarsnode would write for a server under `scratch` with `threads` workers. */
async function writeServerConfig(scratch: string, framework: Framework, threads: number): Promise<SimServer> {
  const serverDir = join(scratch, 'tarsnode', 'data', `${APP}.${SERVER}`);
  const logPath = join(scratch, 'app_log');
  const logDir = join(logPath, APP, SERVER);
  const [wsPort, pushPort, localPort] = [await freePort(), await freePort(), await freePort()];
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
      threads,
      reportIntervalMs: 1000,
      serverDir,
      logPath,
      deactivatingTimeoutMs: 5000,
    }),
  );
  return { serverDir, logDir, conf, wsPort, pushPort, localPort };
}

/** Waits until the gateway answers its health route on the WsObj port; fails with the launcher's output. */
async function untilServing(wsPort: number, server: StartedServer): Promise<void> {
  await eventually(
    () => fetch(`http://127.0.0.1:${wsPort}/monitor/monitor`).then((r) => r.text()),
    (body) => body === '{"code":0}',
    { withinMs: 30_000, everyMs: 100, what: 'the gateway answering on the WsObj port' },
  ).catch((err: unknown) => {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\n--- launcher output ---\n${server.output()}`,
    );
  });
}

describe(
  'platform simulation (tarsnode, official @tars/rpc framework services)',
  { timeout: 120_000 },
  () => {
    const scratch = mkdtempSync(join(tmpdir(), 'tars-ws-platform-'));
    const clients: TestClient[] = [];
    let framework: Framework | undefined;
    let pkg: InstalledPackage;
    let server: StartedServer | undefined;
    let admin: AdminClient | undefined;
    let push: PushClient | undefined;
    let sim: SimServer;
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
      const archive = await deployArchive();
      framework = await startFramework();
      sim = await writeServerConfig(scratch, framework, WORKERS);
      ({ wsPort, pushPort, localPort } = sim);
      pkg = await installPackage(archive, sim.serverDir, SERVER, '3.0.5+');
      // The launcher's test knobs: the platform's 10 s between keepAlives and between stat reports, shortened.
      server = startServer(pkg, sim.conf, sim.logDir, {
        TARS_WS_KEEPALIVE_INTERVAL_MS: String(KEEPALIVE_MS),
        TARS_WS_STAT_MIN_INTERVAL_MS: '1000',
      });
      await untilServing(wsPort, server);
    });

    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      admin?.destroy();
      push?.destroy();
      server?.kill();
      await framework?.stop();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('installs the package the way tarsnode does: bin/ holds the app in src/ and the launcher', () => {
      assert.deepEqual(readdirSync(pkg.binDir).sort(), ['src', 'tars_nodejs']);
      assert.equal(pkg.appDir, join(pkg.binDir, 'src'));
      assert.ok(existsSync(pkg.launcher));
      assert.ok(existsSync(join(pkg.appDir, 'tars', 'tars.proto.json')));
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

    it('applies a config file named in tars.loadconfig in every worker, live', async () => {
      // Where the platform puts a service's config files: server.basepath, the bin/ folder.
      writeFileSync(join(pkg.binDir, 'tars-ws.json'), JSON.stringify({ maxMessageLength: 8 }));
      const answer = await adminObj().notify('tars.loadconfig tars-ws.json');
      const applied = answer.split('\n').filter((l) => l.endsWith('applied: maxMessageLength 65536 -> 8'));
      assert.equal(applied.length, WORKERS, answer);
      push ??= pushClient(`${APP}.${SERVER}.PushObj@tcp -h 127.0.0.1 -p ${pushPort} -t 10000`);
      await assert.rejects(push.pushToRoom('room1', '123456789'), /Push call failed: 400 BAD_PARAM/);
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
        readdirSync(sim.logDir).some((f) => f === `${APP}.${SERVER}.log`),
        'the log is under <logpath>/<App>/<Server>/',
      );
    });
  },
);

for (const generation of ['before-3.0.4', '3.0.4'] as const satisfies readonly TarsnodeGeneration[]) {
  describeOrSkip(
    `the same package on tarsnode ${generation === '3.0.4' ? 'v3.0.4' : 'before v3.0.4'}`,
    { timeout: 60_000, skip: withoutBundledNode() },
    () => {
      const scratch = mkdtempSync(join(tmpdir(), 'tars-ws-platform-old-'));
      let framework: Framework | undefined;
      let server: StartedServer | undefined;
      let admin: AdminClient | undefined;
      let pkg: InstalledPackage;
      let sim: SimServer;

      before(async () => {
        const archive = await deployArchive();
        framework = await startFramework();
        sim = await writeServerConfig(scratch, framework, 1);
        pkg = await installPackage(archive, sim.serverDir, SERVER, generation);
        server = startServer(pkg, sim.conf, sim.logDir, {
          TARS_WS_KEEPALIVE_INTERVAL_MS: String(KEEPALIVE_MS),
        });
        await untilServing(sim.wsPort, server);
      });

      after(async () => {
        admin?.destroy();
        server?.kill();
        await framework?.stop();
        rmSync(scratch, { recursive: true, force: true });
      });

      it('installs bin/ with the app in src/ and starts the shipped tars_nodejs/node on <bin>/src/', () => {
        assert.deepEqual(readdirSync(pkg.binDir).sort(), ['src', 'tars_nodejs']);
        assert.equal(pkg.appDir, `${join(pkg.binDir, 'src')}/`);
        assert.equal(pkg.node, join(pkg.binDir, 'tars_nodejs', 'node'));
      });

      it('keeps its adapters alive and serves WebSocket clients', async () => {
        await eventually(
          () => framework?.calls.keepAlive ?? [],
          (c) => c.some((k) => k.adapter === `${APP}.${SERVER}.WsObjAdapter` && k.pid === server?.pid),
          { what: 'a keepAlive of the WsObj adapter' },
        );
        const client = await TestClient.open(`ws://127.0.0.1:${sim.wsPort}/`);
        try {
          await client.subscribe('room1');
        } finally {
          await client.close();
        }
      });

      it('stops cleanly on AdminObj shutdown', async () => {
        admin = adminClient(`${ADMIN_OBJ}@tcp -h 127.0.0.1 -p ${sim.localPort} -t 10000`);
        await admin.shutdown();
        const exit = await server?.exited;
        assert.equal(exit?.code, 0, `launcher exit ${JSON.stringify(exit)}\n${server?.output() ?? ''}`);
      });
    },
  );
}

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
