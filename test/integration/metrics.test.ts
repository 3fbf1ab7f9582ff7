import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { enableMetrics, LocalBroker, type BrokerMessage, type Gateway } from '../../src/index.js';
import { eventually } from '../support/eventually.js';
import { series } from '../support/prometheus.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';

/** GET with raw headers (fetch would not let a test set Host). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /metrics in one process', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startChat();
    enableMetrics(gateway);
  });
  after(async () => {
    await gateway.close();
  });
  const scrape = async (): Promise<string> => {
    const res = await get(`${gateway.url}/metrics`);
    assert.equal(res.status, 200, res.body);
    return res.body;
  };

  it('lists every metric of the issue and the Node defaults', async () => {
    const text = await scrape();
    for (const name of [
      'tars_ws_connections',
      'tars_ws_connections_opened_total',
      'tars_ws_disconnects_total',
      'tars_ws_messages_received_total',
      'tars_ws_deliveries_total',
      'tars_ws_bytes_sent_total',
      'tars_ws_rooms',
      'tars_ws_slow_consumer_closes_total',
      'tars_ws_broker_publish_failures_total',
      'tars_ws_store_operation_duration_seconds',
      'tars_ws_http_requests_total',
      'tars_ws_http_request_duration_seconds',
      'tars_ws_tars_calls_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  });

  it('counts connections, commands, deliveries, bytes, rooms, store timings, disconnects and HTTP', async () => {
    const a = await TestClient.open(wsUrl(gateway));
    const b = await TestClient.open(wsUrl(gateway));
    await a.subscribe('m1');
    await b.subscribe('m1');
    const gotA = a.waitFor('hello metrics');
    const gotB = b.waitFor('hello metrics');
    await gateway.sendToRoom('m1', 'hello metrics');
    await Promise.all([gotA, gotB]);
    await get(`${gateway.url}/no/such/path/${Math.random()}`);
    let text = await scrape();
    const protocol = gateway.config.defaultProtocol;
    assert.equal(series(text, 'tars_ws_connections', { protocol }), 2);
    assert.equal(series(text, 'tars_ws_connections_opened_total'), 2);
    assert.equal(series(text, 'tars_ws_messages_received_total', { protocol, command: 'subscribe' }), 2);
    assert.equal(series(text, 'tars_ws_deliveries_total', { protocol }), 2);
    assert.ok((series(text, 'tars_ws_bytes_sent_total') ?? 0) >= 2 * 'hello metrics'.length);
    assert.equal(series(text, 'tars_ws_rooms'), 1);
    assert.equal(
      series(text, 'tars_ws_store_operation_duration_seconds_count', { store: 'memory', op: 'add' }),
      2,
    );
    assert.equal(series(text, 'tars_ws_http_requests_total', { route: '(not found)', status: '404' }), 1);
    assert.equal(series(text, 'tars_ws_http_requests_total', { route: '/metrics', status: '200' }), 1);
    await a.close();
    text = await eventually(scrape, (t) => series(t, 'tars_ws_disconnects_total', { code: '1005' }) === 1, {
      what: 'a disconnect counted',
    });
    assert.equal(series(text, 'tars_ws_connections', { protocol }), 1);
    await b.close();
  });
});

class FailingBroker extends LocalBroker {
  fail = false;
  override publish(msg: BrokerMessage): Promise<void> {
    return this.fail ? Promise.reject(new Error('broker down')) : super.publish(msg);
  }
}

describe('GET /metrics, broker failures', () => {
  it('counts failed publishes by broker', async () => {
    const broker = new FailingBroker();
    const gateway = await startChat({}, { broker });
    const metrics = enableMetrics(gateway);
    try {
      broker.fail = true;
      await assert.rejects(gateway.sendToRoom('r', 'x'));
      assert.equal(
        series(await metrics.text(), 'tars_ws_broker_publish_failures_total', { broker: 'local' }),
        1,
      );
    } finally {
      await gateway.close();
    }
  });
});

describe('GET /metrics access', () => {
  it('without a token: loopback callers with a loopback Host only', async () => {
    const gateway = await startChat();
    enableMetrics(gateway);
    try {
      assert.equal((await get(`${gateway.url}/metrics`)).status, 200);
      assert.equal((await get(`${gateway.url}/metrics`, { host: 'attacker.example' })).status, 403);
      assert.equal((await get(`${gateway.url}/metrics`, { origin: 'https://attacker.example' })).status, 403);
    } finally {
      await gateway.close();
    }
  });

  it('with metricsToken: the bearer token only', async () => {
    const gateway = await startChat({ metricsToken: 's3cret' });
    enableMetrics(gateway);
    try {
      assert.equal((await get(`${gateway.url}/metrics`)).status, 401);
      assert.equal((await get(`${gateway.url}/metrics`, { authorization: 'Bearer nope!!' })).status, 401);
      const ok = await get(`${gateway.url}/metrics`, { authorization: 'Bearer s3cret', host: 'gw.example' });
      assert.equal(ok.status, 200);
      assert.match(ok.body, /tars_ws_connections/);
    } finally {
      await gateway.close();
    }
  });
});
