import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startHelloServer } from '../../examples/chat/hello-server.js';
import type { Gateway } from '../../src/index.js';
import type { TarsServer } from '../../src/tars/index.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';
import { freePort } from '../support/free-port.js';

const helloObj = (port: number): string => `TestApp.HelloServer.HelloObj@tcp -h 127.0.0.1 -p ${port} -t 3000`;

describe('the demo calls the Tars Hello service', () => {
  let hello: TarsServer;
  let gateway: Gateway;
  before(async () => {
    hello = await startHelloServer('127.0.0.1', 0, pino({ level: 'silent' }));
    const port = Number(/-p (\d+)/.exec(hello.endpoint)?.[1]);
    gateway = await startChat({}, {}, { helloObj: helloObj(port) });
  });
  after(async () => {
    await gateway.close();
    await hello.close(1000);
  });

  it('answers /Hello/hello through the generated proxy', async () => {
    const res = await fetch(`${gateway.url}/Hello/hello?no=7&name=tars`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ret: 'hello tars #7' });
  });

  it('answers the hello command over WebSocket', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    assert.equal(await c.request('hello|{"no":3,"name":"ws"}'), 'hello ws #3');
    await c.close();
  });

  it('rejects a non-integer no with 400', async () => {
    assert.equal((await fetch(`${gateway.url}/Hello/hello?no=1.5&name=x`)).status, 400);
  });
});

describe('the demo with the Hello service missing or slow', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let silentPort = 0;
  before(async () => {
    // Accepts connections and never answers: a hung service.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as AddressInfo).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('answers 502 with a clear JSON error when nothing listens', async () => {
    const gateway = await startChat({}, {}, { helloObj: helloObj(await freePort()), helloTimeoutMs: 500 });
    const res = await fetch(`${gateway.url}/Hello/hello?no=1&name=x`);
    assert.equal(res.status, 502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'UPSTREAM_ERROR');
    assert.match(body.error.message, /TestApp\.HelloServer\.HelloObj/);
    await gateway.close();
  });

  it('answers a timeout error, not a hang, when the service does not reply', async () => {
    const gateway = await startChat({}, {}, { helloObj: helloObj(silentPort), helloTimeoutMs: 300 });
    const c = await TestClient.open(wsUrl(gateway));
    const reply = await c.request('hello|{"no":1,"name":"x"}');
    assert.match(reply, /^error\|/);
    assert.match(reply, /Tars code -7/);
    await c.close();
    await gateway.close();
  });
});
