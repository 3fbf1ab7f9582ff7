/**
 * The fan-out benchmark's Centrifugo client (bench/fanout/clients/centrifuge-client.ts) reads the wire itself to
 * stay cheap; these tests hold it to what the official `centrifuge` SDK reads from the same server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Centrifuge } from 'centrifuge';
import WebSocket from 'ws';
import { createChatApp } from '../../examples/chat/app.js';
import type { Gateway } from '../../src/index.js';
import { centrifugeClient, openCentrifuge } from '../../bench/fanout/clients/centrifuge-client.js';
import type { ClientConnection, Publisher } from '../../bench/fanout/clients/client.js';
import { tarsWsClient } from '../../bench/fanout/clients/tars-ws-client.js';
import { stampedMessage } from '../../bench/fanout/latency.js';
import { benchConfig } from '../../bench/fanout/servers/tars-ws-server.js';
import { within } from '../support/deadline.js';
import { eventually } from '../support/eventually.js';
import { wsUrl } from '../support/gateway.js';

const ROOM = 'room1';
const DEADLINE_MS = 5000;

describe('bench Centrifugo client', () => {
  let gateway: Gateway;
  const conns: ClientConnection[] = [];
  const sdks: Centrifuge[] = [];

  before(async () => {
    gateway = await createChatApp(benchConfig({ centrifugePingIntervalMs: 100 }));
    await gateway.listen();
  });
  after(async () => {
    for (const c of sdks) c.disconnect();
    for (const c of conns) c.close();
    await gateway.close();
  });

  it('receives every publication with the data the SDK receives, escaped text included', async () => {
    const sdk = new Centrifuge(wsUrl(gateway, '/connection/websocket'), { websocket: WebSocket });
    sdks.push(sdk);
    const bySdk: unknown[] = [];
    const sub = sdk.newSubscription(ROOM);
    sub.on('publication', (ctx) => bySdk.push(ctx.data));
    const subscribed = within(
      new Promise((resolve) => sub.once('subscribed', resolve)),
      DEADLINE_MS,
      'SDK subscribed',
    );
    sub.subscribe();
    sdk.connect();
    await subscribed;
    const byBench: string[] = [];
    conns.push(await centrifugeClient.subscribe(gateway.url, ROOM, (data) => byBench.push(data), 0));
    const publisher: Publisher = await tarsWsClient.publisher(gateway.url);
    conns.push(publisher);

    const sent = [
      stampedMessage(100),
      stampedMessage(100, 2),
      `${performance.now().toFixed(3)} "quoted" back\\slash\nnewline ünïcode`,
    ];
    for (const text of sent) publisher.publish(ROOM, text);
    await eventually(
      () => [bySdk.length, byBench.length],
      ([a, b]) => a === sent.length && b === sent.length,
      { withinMs: DEADLINE_MS, what: 'both clients received every message' },
    );
    assert.deepEqual(bySdk, sent);
    assert.deepEqual(byBench, sent);
    // The latency recorder reads the send time from the front of the data.
    assert.equal(parseFloat(byBench[0]!), parseFloat(sent[0]!));
  });

  it('answers the server pings, so the connection outlives several ping intervals', async () => {
    const ws = await openCentrifuge(gateway.url, [{ connect: {} }]);
    conns.push({ close: () => ws.terminate() });
    let pings = 0;
    ws.on('message', (data) => {
      if (String(data) === '{}') pings++;
    });
    // A client that does not answer a ping is closed with 3012 when the next one is due.
    await eventually(
      () => pings,
      (n) => n >= 3,
      { withinMs: DEADLINE_MS, what: 'three pings' },
    );
    assert.equal(ws.readyState, WebSocket.OPEN);
  });

  it('rejects when the server refuses a command, with its code', async () => {
    await assert.rejects(
      openCentrifuge(gateway.url, [{ connect: {} }, { subscribe: { channel: 'bad:ns' } }]),
      /command 2 refused: 102 /,
    );
  });
});
