/**
 * Statistics end to end in one process: a chat gateway with attachWorkerStats, startStatReporting towards fake
 * StatObj/PropertyObj servers (our TarsServer + the generated servant bases), traffic from real clients, then a
 * flush: the reported counts per command and route must be exactly the traffic sent.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { startHelloServer } from '../../examples/chat/hello-server.js';
import type { Gateway } from '../../src/index.js';
import { attachWorkerStats, startStatReporting, type StatReporting } from '../../src/platform/stats/index.js';
import type { StatReportingConfig } from '../../src/platform/stats/stat-reporting.js';
import type { TarsServer } from '../../src/tars/index.js';
import { startFakeStatServices, totals, type FakeStatServices } from '../support/fake-stat-services.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';

const silent = pino({ level: 'silent' });

/** Sends a frame and waits for its reply (room messages may arrive in between). */
async function exchange(c: TestClient, frame: string, reply: string): Promise<void> {
  const got = c.waitFor(reply);
  c.ws.send(frame);
  await got;
}

function tarsConfig(fake: FakeStatServices): StatReportingConfig {
  return {
    app: 'Demo',
    server: 'WsServer',
    localIp: '127.0.0.1',
    moduleName: 'Demo.WsServer',
    enableSet: false,
    setDivision: '',
    locator: '',
    stat: fake.statObj,
    property: fake.propertyObj,
    reportIntervalMs: 60_000, // the tests flush by hand
  };
}

describe('stat and property reports of a single-process gateway', () => {
  let fake: FakeStatServices;
  let hello: TarsServer;
  let helloPort: number;
  let gateway: Gateway;
  let reporting: StatReporting;
  let detach: () => void;

  before(async () => {
    hello = await startHelloServer('127.0.0.1', 0, silent);
    helloPort = Number(/-p (\d+)/.exec(hello.endpoint)?.[1]);
  });
  after(() => hello.close(1000));
  beforeEach(async () => {
    fake = await startFakeStatServices();
    gateway = await startChat(
      {},
      {},
      { helloObj: `TestApp.HelloServer.HelloObj@tcp -h 127.0.0.1 -p ${helloPort} -t 3000` },
    );
    detach = attachWorkerStats(gateway);
    reporting = startStatReporting({
      tarsConfig: tarsConfig(fake),
      logger: silent,
      port: gateway.address.port,
    });
  });
  afterEach(async () => {
    detach();
    await reporting.stop();
    await gateway.close();
    await fake.close();
  });

  it('reports each WebSocket command and HTTP route with its exact count, from not_tars_client', async () => {
    const a = await TestClient.open(wsUrl(gateway));
    const b = await TestClient.open(wsUrl(gateway));
    await a.subscribe('room1');
    await b.subscribe('room1');
    await exchange(a, 'sendByRoom|{"roomNum":"room1","message":"x"}', 'SendByRoom success!');
    await exchange(a, 'sendByRoom|{"roomNum":"room1","message":"y"}', 'SendByRoom success!');
    for (let i = 0; i < 3; i++) await exchange(b, 'ping', 'pong');
    await exchange(a, 'broadcast|{"message":"all"}', 'Broadcast success!');
    for (let i = 0; i < 2; i++) await fetch(`${gateway.url}/Index/pushByRoom?roomNum=room1&message=h`);
    await fetch(`${gateway.url}/Index/pushAll?message=h`);
    await fetch(`${gateway.url}/no/such/route`);

    await reporting.flush();
    await fake.stat.reports.until((all) => all.some((r) => !r.fromClient));
    const t = totals(fake.stat.reports.all, false);
    const counts = Object.fromEntries([...t].map(([k, v]) => [k, [v.count, v.execCount]]));
    assert.deepEqual(counts, {
      'subscribe|0': [2, 0],
      'sendByRoom|0': [2, 0],
      'ping|0': [3, 0],
      'broadcast|0': [1, 0],
      '/Index/pushByRoom|200': [2, 0],
      '/Index/pushAll|200': [1, 0],
      '(not found)|404': [0, 1],
    });
    const head = t.get('ping|0')!.head;
    assert.equal(head.masterName, 'not_tars_client');
    assert.equal(head.slaveName, 'Demo.WsServer');
    assert.equal(head.slaveIp, '127.0.0.1');
    assert.equal(head.slavePort, gateway.address.port);
    const body = t.get('ping|0')!.body;
    assert.equal(
      [...body.intervalCount.values()].reduce((x, y) => x + y),
      3,
    );
    assert.ok(body.minRspTime <= body.maxRspTime);
    await a.close();
    await b.close();
  });

  it('reports the Tars calls the gateway makes from its module name to the callee', async () => {
    assert.equal((await fetch(`${gateway.url}/Hello/hello?no=1&name=a`)).status, 200);
    assert.equal((await fetch(`${gateway.url}/Hello/hello?no=2&name=b`)).status, 200);
    await reporting.flush();
    await fake.stat.reports.until((all) => all.some((r) => r.fromClient));
    const calls = totals(fake.stat.reports.all, true);
    assert.deepEqual([...calls.keys()], ['hello|0']);
    const { head, count } = calls.get('hello|0')!;
    assert.equal(count, 2);
    assert.deepEqual(
      [head.masterName, head.slaveName, head.masterIp, head.slaveIp, head.slavePort],
      ['Demo.WsServer', 'TestApp.HelloServer', '127.0.0.1', '127.0.0.1', helloPort],
    );
  });

  it('reports the properties with their policies and iPropertyVer 2', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    await c.subscribe('room1');
    await reporting.flush();
    await fake.property.reports.until((all) => all.length > 0);
    const byName = new Map([...fake.property.reports.all[0]!].map(([h, b]) => [h.propertyName, { h, b }]));
    assert.deepEqual([...byName.keys()].sort(), [
      'connections',
      'eventLoopLagMs',
      'heapUsedMB',
      'messagesInPerSec',
      'messagesOutPerSec',
      'rooms',
      'rssMB',
    ]);
    const conns = byName.get('connections')!;
    assert.equal(conns.h.iPropertyVer, 2);
    assert.equal(conns.h.moduleName, 'Demo.WsServer');
    assert.deepEqual(
      conns.b.vInfo.map((i) => i.policy),
      ['Avg', 'Max', 'Min'],
    );
    assert.equal(conns.b.vInfo.find((i) => i.policy === 'Max')?.value, '1');
    assert.match(
      byName.get('eventLoopLagMs')!.b.vInfo.find((i) => i.policy === 'Distr')!.value,
      /^0\|\d+,1\|\d+/,
    );
    await c.close();
  });

  it('reports each count once: a flush without traffic sends no stat report, the next one only the new counts', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    await c.sync();
    await reporting.flush();
    await fake.stat.reports.until((all) => all.length === 1);
    await reporting.flush();
    await c.sync();
    await reporting.flush();
    await fake.stat.reports.until((all) => all.length === 2);
    // Reports travel in order on one connection: an empty flush's report would have come before the third.
    assert.equal(totals(fake.stat.reports.all.slice(1), false).get('ping|0')?.count, 1);
    assert.equal(totals(fake.stat.reports.all, false).get('ping|0')?.count, 2);
    await c.close();
  });
});

describe('a stat report that fails', () => {
  it('keeps its counts and sends them with the next report', async () => {
    const fake = await startFakeStatServices();
    const gateway = await startChat();
    const detach = attachWorkerStats(gateway);
    const reporting = startStatReporting({
      tarsConfig: { ...tarsConfig(fake), property: '' },
      logger: silent,
      oneway: false, // to see the refusal
    });
    try {
      const c = await TestClient.open(wsUrl(gateway));
      await c.sync();
      fake.stat.refuse = 1;
      await reporting.flush();
      assert.equal(reporting.counters.failures, 1);
      await c.sync();
      await reporting.flush();
      assert.equal(reporting.counters.failures, 1);
      assert.equal(totals(fake.stat.reports.all, false).get('ping|0')?.count, 2);
      await c.close();
    } finally {
      detach();
      await reporting.stop();
      await gateway.close();
      await fake.close();
    }
  });
});
