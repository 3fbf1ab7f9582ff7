/**
 * Joining a burst's messages into fewer frames (protocols whose frames carry newline-separated messages) over real
 * sockets: what the peer reads, frame by frame, for bursts, lone messages, large payloads and a close mid-turn.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { Connection } from '../../src/gateway/connection.js';
import { prepareTextFrame } from '../../src/gateway/frame.js';
import { centrifugeProtocol } from '../../src/protocol/centrifuge/index.js';
import { textProtocol } from '../../src/protocol/protocol-text.js';
import type { Protocol } from '../../src/protocol/protocol.js';

const DEADLINE_MS = 5000;

interface Peer {
  conn: Connection;
  /** Text frames the client read, in order. */
  frames: string[];
  /** Resolves once the client read `n` frames in all (or rejects at the deadline). */
  frameCount(n: number): Promise<string[]>;
  closed: Promise<number>;
}

describe('frames joined per turn', () => {
  let wss: WebSocketServer;
  let url: string;
  const clients: WebSocket[] = [];

  before(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const c of clients) c.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });

  async function open(
    protocol: Protocol,
    maxMessagesInFrame: number,
    maxBufferedBytes = 1 << 24,
    onSlow: () => void = () => assert.fail('not a slow consumer'),
  ): Promise<Peer> {
    const accepted = once(wss, 'connection') as Promise<[WebSocket, IncomingMessage]>;
    const client = new WebSocket(url);
    clients.push(client);
    client.on('error', () => undefined);
    const frames: string[] = [];
    const waiters: { n: number; resolve: (f: string[]) => void }[] = [];
    client.on('message', (data) => {
      frames.push(String(data));
      for (const w of waiters.filter((x) => frames.length >= x.n)) w.resolve(frames);
    });
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    const [ws, req] = await accepted;
    ws.on('error', () => undefined);
    await once(client, 'open');
    const conn = new Connection(1, ws, req, protocol, { maxBufferedBytes, maxMessagesInFrame }, onSlow);
    const frameCount = (n: number): Promise<string[]> =>
      new Promise((resolve, reject) => {
        if (frames.length >= n) return resolve(frames);
        const timer = setTimeout(
          () => reject(new Error(`${frames.length} frames of ${n} within ${DEADLINE_MS} ms`)),
          DEADLINE_MS,
        );
        waiters.push({ n, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      });
    return { conn, frames, frameCount, closed };
  }

  const messages = (n: number, prefix = 'm'): string[] =>
    Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('sends the first message of a turn alone, then joins the rest by maxMessagesInFrame', async () => {
    const peer = await open(centrifugeProtocol, 4);
    for (const m of messages(10)) assert.equal(peer.conn.send(m), true);
    assert.deepEqual(await peer.frameCount(4), ['m0', 'm1\nm2\nm3\nm4', 'm5\nm6\nm7\nm8', 'm9']);
  });

  it('keeps one message per frame for protocols that do not join, and with maxMessagesInFrame 1', async () => {
    for (const peer of [await open(textProtocol, 16), await open(centrifugeProtocol, 1)]) {
      for (const m of messages(6)) peer.conn.send(m);
      assert.deepEqual(await peer.frameCount(6), messages(6));
    }
  });

  it('sends lone messages of separate turns as they come', async () => {
    const peer = await open(centrifugeProtocol, 16);
    for (const m of messages(3)) {
      peer.conn.send(m);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await peer.frameCount(3), messages(3));
  });

  it('joins large payloads into one frame and starts a new one past 64 KiB', async () => {
    const peer = await open(centrifugeProtocol, 16);
    const sent = ['first', 'x'.repeat(60), 'y'.repeat(60), 'a'.repeat(40_000), 'b'.repeat(40_000), 'tail'];
    for (const m of sent) peer.conn.send(m);
    const frames = await peer.frameCount(3);
    // first alone; x, y, a, b joined until the payload passed 64 KiB (80,125 bytes: a 64-bit length); tail after.
    assert.deepEqual(frames, ['first', sent.slice(1, 5).join('\n'), 'tail']);
  });

  it('joins with a 16-bit length between 126 and 65,535 bytes', async () => {
    const peer = await open(centrifugeProtocol, 16);
    const sent = ['first', 'a'.repeat(70), 'b'.repeat(70)];
    for (const m of sent) peer.conn.send(m);
    assert.deepEqual(await peer.frameCount(2), ['first', `${sent[1]}\n${sent[2]}`]);
  });

  it('builds a joined frame from each receiver’s own frames (no stale reuse across receivers)', async () => {
    const a = await open(centrifugeProtocol, 16);
    const b = await open(centrifugeProtocol, 16);
    const [f0, f1, f2, f3] = ['p0', 'p1', 'p2', 'p3'].map((m) => prepareTextFrame(m)) as [
      Buffer,
      Buffer,
      Buffer,
      Buffer,
    ];
    // Same turn: a gets p0 p1 p2, b gets p0 p1 p3: the frame joined for a must not be sent to b.
    for (const f of [f0, f1, f2]) a.conn.sendFrame(f);
    for (const f of [f0, f1, f3]) b.conn.sendFrame(f);
    assert.deepEqual(await a.frameCount(2), ['p0', 'p1\np2']);
    assert.deepEqual(await b.frameCount(2), ['p0', 'p1\np3']);
  });

  it('sends what the turn queued before a close frame', async () => {
    const peer = await open(centrifugeProtocol, 16);
    for (const m of messages(5)) peer.conn.send(m);
    peer.conn.close(4321, 'bye');
    assert.equal(await peer.closed, 4321);
    assert.deepEqual(peer.frames, ['m0', 'm1\nm2\nm3\nm4']);
  });

  it('counts messages waiting to be joined in bufferedAmount and against maxBufferedBytes', async () => {
    let slow = 0;
    const peer = await open(centrifugeProtocol, 16, 4096, () => slow++);
    assert.equal(peer.conn.send('first'), true);
    assert.equal(peer.conn.send('x'.repeat(3000)), true);
    assert.ok(peer.conn.bufferedAmount >= 3000, `bufferedAmount ${peer.conn.bufferedAmount}`);
    // 3,000 waiting to be joined + 3,000 more passes 4,096: the connection is closed as a slow consumer (4008),
    // after what was accepted before.
    assert.equal(peer.conn.send('y'.repeat(3000)), false);
    assert.equal(slow, 1);
    assert.equal(await peer.closed, 4008);
    assert.deepEqual(peer.frames, ['first', 'x'.repeat(3000)]);
  });
});
