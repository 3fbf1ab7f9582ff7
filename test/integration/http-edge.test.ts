/**
 * The HTTP edge on a hostile network: clients that reset at once, send half a request, hold idle sockets or flood
 * from one address. The process must survive, answer with the right status, and free the sockets in bounded time.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Gateway } from '../../src/index.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';
import { openSocket, rawRequest, readUntilClosed, sendAndReset, statusOf } from '../support/raw-tcp.js';

const upgrade = (origin?: string): string =>
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  (origin ? `Origin: ${origin}\r\n` : '') +
  '\r\n';

async function stillServes(gateway: Gateway): Promise<void> {
  assert.equal((await fetch(`${gateway.url}/monitor/monitor`)).status, 200);
  const c = await TestClient.open(wsUrl(gateway));
  await c.sync();
  await c.close();
}

describe('clients that reset the connection right after sending', () => {
  const ROUNDS = 40;

  it('survive a refused upgrade (403 origin) answered to a reset socket', async () => {
    const gateway = await startChat({ allowedOrigins: 'https://app.example' });
    for (let i = 0; i < ROUNDS; i++) await sendAndReset(gateway.address.port, upgrade('http://evil.example'));
    await stillServes(gateway);
    await gateway.close();
  });

  it('survive a refused upgrade (503 maxConnections) answered to a reset socket', async () => {
    const gateway = await startChat({ maxConnections: 1 });
    const holder = await TestClient.open(wsUrl(gateway));
    for (let i = 0; i < ROUNDS; i++) await sendAndReset(gateway.address.port, upgrade());
    await holder.sync();
    await holder.close();
    await gateway.close();
  });

  it('survive a refused upgrade (503 shutting down) answered to a reset socket', async () => {
    const gateway = await startChat({ shutdownGraceMs: 3000 });
    const holder = await TestClient.open(wsUrl(gateway));
    // The holder ignores the close, so the gateway stays in its shutdown grace while the resets arrive.
    holder.ws.removeAllListeners('close');
    (holder.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    // Connected before the listener closes: their upgrade requests arrive during the shutdown.
    const early = await Promise.all(Array.from({ length: ROUNDS }, () => openSocket(gateway.address.port)));
    const closing = gateway.close();
    for (const s of early) {
      s.on('error', () => {});
      await new Promise<void>((resolve) => s.write(upgrade(), () => resolve()));
      s.resetAndDestroy();
    }
    await closing;
  });

  it('survive a reset in the middle of a request body, of a static file and of a push', async () => {
    const gateway = await startChat();
    const port = gateway.address.port;
    for (let i = 0; i < ROUNDS; i++) {
      await sendAndReset(
        port,
        'POST /Index/pushAll HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"mess',
      );
      await sendAndReset(port, 'GET /clients/client1.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await sendAndReset(port, 'GET /Index/pushAll?message=x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    }
    await stillServes(gateway);
    await gateway.close();
  });
});

describe('timeouts', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startChat({ headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300 });
  });
  after(() => gateway.close());

  it('answers 408 and closes a connection whose headers do not complete in headersTimeoutMs', async () => {
    const reply = await rawRequest(gateway.address.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', 5000);
    assert.ok(reply.closed, 'the server did not close the connection within 5 s');
    assert.equal(statusOf(reply.data), 408);
  });

  it('closes a half-sent upgrade request after headersTimeoutMs', async () => {
    const reply = await rawRequest(gateway.address.port, upgrade().slice(0, 40), 5000);
    assert.ok(reply.closed, 'the server did not close the connection within 5 s');
  });

  it('answers 408 when a request body does not arrive in requestTimeoutMs', async () => {
    const reply = await rawRequest(
      gateway.address.port,
      'POST /Index/pushAll HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nmessage=',
      5000,
    );
    assert.ok(reply.closed, 'the server did not close the connection within 5 s');
    assert.equal(statusOf(reply.data), 408);
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutMs', async () => {
    const s = await openSocket(gateway.address.port);
    const reply = readUntilClosed(s, 5000);
    s.write('GET /monitor/monitor HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const { closed, data } = await reply;
    assert.equal(statusOf(data), 200);
    assert.ok(closed, 'the idle keep-alive connection was not closed within 5 s');
    s.destroy();
  });
});

describe('malformed requests get their own status', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startChat();
  });
  after(() => gateway.close());

  it('431 for headers larger than Node accepts', async () => {
    const reply = await rawRequest(
      gateway.address.port,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.equal(statusOf(reply.data), 431);
    assert.match(reply.data, /HEADERS_TOO_LARGE/);
  });

  it('414 for a URL longer than 8 KiB', async () => {
    const res = await fetch(`${gateway.url}/Index/pushAll?message=${'a'.repeat(9000)}`);
    assert.equal(res.status, 414);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'URI_TOO_LONG');
  });

  it('400 with a JSON body for garbage', async () => {
    const reply = await rawRequest(gateway.address.port, 'NOT HTTP\r\n\r\n');
    assert.equal(statusOf(reply.data), 400);
    assert.match(reply.data, /"code":400/);
  });
});

describe('connection limits', () => {
  it('refuses connections past maxConnectionsPerAddress from one address, and only from it', async () => {
    const gateway = await startChat({ maxConnectionsPerAddress: 3 });
    const port = gateway.address.port;
    const held = await Promise.all([1, 2, 3].map(() => openSocket(port)));
    const refused = await rawRequest(port, 'GET /monitor/monitor HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(statusOf(refused.data), 503);
    const ws = await new Promise<number>((resolve) => {
      const c = new WebSocket(wsUrl(gateway));
      c.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      c.on('error', () => resolve(-1));
    });
    assert.ok(ws === 503 || ws === -1, `a WebSocket from the same address was let in (${ws})`);
    // Another loopback address is another client.
    const other = await openSocket(port, '127.0.0.2');
    const fromOther = readUntilClosed(other, 5000);
    other.end('GET /monitor/monitor HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf((await fromOther).data), 200);
    for (const s of held) s.destroy();
    await gateway.close();
  });

  it('counts idle HTTP sockets against maxHttpConnections, and not the WebSockets', async () => {
    const gateway = await startChat({ maxHttpConnections: 2 });
    const port = gateway.address.port;
    const sockets = [await TestClient.open(wsUrl(gateway)), await TestClient.open(wsUrl(gateway))];
    const idle = [await openSocket(port), await openSocket(port)];
    const refused = await rawRequest(port, 'GET /monitor/monitor HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(statusOf(refused.data), 503);
    for (const s of idle) s.destroy();
    // Closing idle sockets frees their places (the server sees the close asynchronously: retry briefly).
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await new Promise<number>((resolve) => {
        const req = request({ port, host: '127.0.0.1', path: '/monitor/monitor', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
        req.end();
      });
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 200);
    for (const c of sockets) await c.close();
    await gateway.close();
  });
});

describe('served pages', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startChat();
  });
  after(() => gateway.close());

  it('carry a content security policy and the other protective headers', async () => {
    const res = await fetch(`${gateway.url}/clients/client1.html`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('referrer-policy'));
  });

  it('serve every script the chat pages load, from this origin, as JavaScript, and no inline script', async () => {
    const expected: Record<string, string[]> = {
      'client1.html': ['chat-ui.js', 'chat.js'],
      'client2.html': ['chat-ui.js', 'chat.js'],
      'client3.html': ['vendor/centrifuge/centrifuge.js', 'chat-ui.js', 'client3.js'],
    };
    for (const [page, scripts] of Object.entries(expected)) {
      const html = await (await fetch(`${gateway.url}/clients/${page}`)).text();
      const tags = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1] ?? '');
      // The shared helpers come first: the page's own script reads them when it runs (deferred, in order).
      assert.deepEqual(
        tags.map((attrs) => /\bsrc="([^"]+)"/.exec(attrs)?.[1]),
        scripts,
        `${page} loads its scripts by relative src, in this order`,
      );
      for (const src of scripts) {
        const res = await fetch(`${gateway.url}/clients/${src}`);
        assert.equal(res.status, 200, `${page}: ${src}`);
        assert.match(res.headers.get('content-type') ?? '', /javascript/, `${page}: ${src}`);
        assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        await res.arrayBuffer();
      }
    }
  });

  it('serves a path with a "." segment', async () => {
    const reply = await rawRequest(
      gateway.address.port,
      'GET /clients/./client1.html?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    assert.equal(statusOf(reply.data), 200);
    assert.match(reply.data, /chat\.js/);
  });
});
