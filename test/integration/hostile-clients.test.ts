/**
 * Clients a gateway on a network meets: web pages of other sites (cross-site sockets, DNS rebinding), senders that
 * pipeline faster than their commands are handled, and floods of bad frames that must not become floods of logs.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import WebSocket from 'ws';
import { CloseCode, type Gateway } from '../../src/index.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';

/** A pino logger whose lines a test can read. */
function recordingLogger(level = 'info'): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n'))
        if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level }, stream), lines: () => lines };
}

function httpGet(
  gateway: Gateway,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: gateway.address.port, path, headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

describe('DNS rebinding', () => {
  it('refuses a tokenless push from loopback whose Host is not a loopback name, and says to configure a token', async () => {
    const gateway = await startChat();
    const res = await httpGet(gateway, '/Index/pushAll?message=x', { host: 'attacker.example:8080' });
    assert.equal(res.status, 403);
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'FORBIDDEN');
    assert.match(body.error.message, /PUSH_TOKEN/);
    for (const host of [`localhost:${gateway.address.port}`, `127.0.0.1:${gateway.address.port}`]) {
      assert.equal((await httpGet(gateway, '/Index/pushAll?message=x', { host })).status, 200, host);
    }
    await gateway.close();
  });

  it('accepts any Host once a push token is configured and presented', async () => {
    const gateway = await startChat({ pushToken: 's3cret' });
    const res = await httpGet(gateway, '/Index/pushAll?message=x', {
      host: 'gateway.internal',
      authorization: 'Bearer s3cret',
    });
    assert.equal(res.status, 200);
    await gateway.close();
  });
});

describe('cross-site WebSockets', () => {
  it('by default admit pages of the gateway itself and clients without Origin, and refuse other sites', async () => {
    const gateway = await startChat();
    assert.equal(await upgradeStatus(wsUrl(gateway), 'http://evil.example'), 403);
    assert.equal(await upgradeStatus(wsUrl(gateway), gateway.url), 101);
    assert.equal(await upgradeStatus(wsUrl(gateway)), 101);
    await gateway.close();
  });

  it('admit every origin with "*", and warn about it at start', async () => {
    const { logger, lines } = recordingLogger();
    const gateway = await startChat({ allowedOrigins: '*', logLevel: 'info' }, { logger });
    assert.equal(await upgradeStatus(wsUrl(gateway), 'http://evil.example'), 101);
    assert.ok(lines().some((l) => l['level'] === 40 && /allowedOrigins is "\*"/.test(String(l['msg']))));
    await gateway.close();
  });
});

describe('a client that pipelines commands', () => {
  async function burst(overrides: Parameters<typeof startChat>[0], count: number): Promise<void> {
    const gateway = await startChat(overrides);
    const subscribers = await Promise.all([1, 2, 3].map(() => TestClient.open(wsUrl(gateway))));
    for (const s of subscribers) await s.subscribe('burst');
    const sender = await TestClient.open(wsUrl(gateway));
    const allIn = subscribers.map((s) =>
      s.waitFor((m) => m === `m${count - 1}`, { withinMs: 20_000, what: `the burst's last message` }),
    );
    const replies = sender.waitForCount('SendByRoom success!', count, 20_000);
    const frames = Array.from({ length: count }, (_, i) =>
      JSON.stringify({ roomNum: 'burst', message: `m${i}` }),
    );
    for (const f of frames) sender.ws.send(`sendByRoom|${f}`);
    await Promise.all(allIn);
    await replies;
    const want = frames.map((_, i) => `m${i}`);
    for (const s of subscribers)
      assert.deepEqual(
        s.received.filter((m) => /^m\d+$/.test(m)),
        want,
      );
    assert.equal(sender.ws.readyState, WebSocket.OPEN, 'the sender was closed');
    await Promise.all([...subscribers, sender].map((c) => c.close()));
    await gateway.close();
  }

  it('is slowed by back-pressure, not cut: every message of a 1,000-message burst reaches every subscriber in order', async () => {
    await burst({ maxPendingMessages: 16 }, 1000);
  });

  it('gets the same with the default limits', async () => {
    await burst({}, 1000);
  });

  it('is still closed with 1008 past the hard bound of messages read before reading paused', async () => {
    const gateway = await startChat({ maxPendingMessages: 2, maxQueuedMessages: 4 });
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    gateway.onMessage('block', () => blocked);
    const c = await TestClient.open(wsUrl(gateway));
    // One write: every frame is in the server's first read, so pausing cannot hold any of them back.
    const socket = (c.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.cork();
    for (let i = 0; i < 10; i++) c.ws.send('block');
    socket.uncork();
    assert.equal((await c.closed).code, CloseCode.PolicyViolation);
    release();
    await gateway.close();
  });
});

describe('log amplification', () => {
  it('a 1 MB write of bad frames produces a handful of log lines, not one per frame', async () => {
    const { logger, lines } = recordingLogger('info');
    const gateway = await startChat({ logLevel: 'info', maxPendingMessages: 4 }, { logger });
    const before = lines().length;
    const c = await TestClient.open(wsUrl(gateway));
    const socket = (c.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.cork();
    // Binary frames (refused), frames with bad JSON payloads (refused) and unknown commands: ~1 MB in one write.
    for (let i = 0; i < 40_000; i++) {
      if (i % 2 === 0) c.ws.send(Buffer.from('x'), { binary: true });
      else c.ws.send('sendByRoom|{bad');
    }
    socket.uncork();
    await c.waitForCount(/"?BAD_PAYLOAD|binary/, 1, 10_000);
    await c.close();
    await gateway.close();
    const logged = lines().length - before;
    assert.ok(logged <= 10, `${logged} log lines for one client's bad frames`);
  });
});
