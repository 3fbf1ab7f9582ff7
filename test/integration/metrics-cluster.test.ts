import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/eventually.js';
import { TestClient } from '../support/gateway.js';
import { series } from '../support/prometheus.js';

interface WorkerInfo {
  workerId: number;
  pid: number;
}

/** GET on a new TCP connection each time, so the primary hands each request to the next worker. */
function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get(`http://127.0.0.1:${port}/metrics`, { agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}: ${body}`)),
      );
    }).on('error', reject);
  });
}

describe('GET /metrics with two workers', () => {
  let child: ChildProcess;
  let port = 0;
  let workers: WorkerInfo[] = [];
  const clients: TestClient[] = [];

  before(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cluster-app.ts'], {
      env: { ...process.env, WORKERS: '2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.once('exit', () => child.kill('SIGKILL'));
    const first = await new Promise<{ port: number; workers: WorkerInfo[] }>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (text) => {
        const line = JSON.parse(text) as { port?: number; workers?: WorkerInfo[] };
        if (typeof line.port === 'number' && line.workers)
          resolve({ port: line.port, workers: line.workers });
      });
    });
    port = first.port;
    workers = first.workers;
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it("sums both workers' connections and labels each worker's", async () => {
    const pids = new Set<number>();
    // The primary hands connections out in turn: open until both workers hold at least one.
    for (let i = 0; i < 20 && (pids.size < 2 || clients.length < 3); i++) {
      const c = await TestClient.open(`ws://127.0.0.1:${port}/`);
      clients.push(c);
      pids.add(Number(await c.request('whoami')));
    }
    assert.equal(pids.size, 2, `connections landed on ${[...pids].join(', ')}`);
    const text = await eventually(
      () => scrape(port),
      (t) => series(t, 'tars_ws_connections', { protocol: 'text', worker: '' }) === clients.length,
      { what: 'the machine total of connections' },
    );
    const per = workers.map(
      (w) => series(text, 'tars_ws_connections', { protocol: 'text', worker: String(w.workerId) }) ?? 0,
    );
    assert.ok(
      per.every((n) => n > 0),
      `per worker ${per.join(', ')}`,
    );
    assert.equal(
      per.reduce((a, b) => a + b, 0),
      clients.length,
    );
    assert.equal(series(text, 'tars_ws_connections_opened_total', { worker: '' }), clients.length);
    assert.match(text, /nodejs_heap_size_used_bytes\{worker="1"\}/);
    // Every scrape answers the same machine, whichever worker took it.
    const again = await scrape(port);
    assert.equal(series(again, 'tars_ws_connections', { protocol: 'text', worker: '' }), clients.length);
  });
});
