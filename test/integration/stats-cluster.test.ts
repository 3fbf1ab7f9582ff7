/**
 * Statistics of a cluster: two workers ship their deltas to the primary, which reports. Every worker's counts must
 * arrive exactly once, and the connection gauge must be the sum over the workers.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { startFakeStatServices, totals, type FakeStatServices } from '../support/fake-stat-services.js';
import { TestClient } from '../support/gateway.js';

interface WorkerInfo {
  workerId: number;
  pid: number;
}

describe('statistics of a cluster of two workers', () => {
  let fake: FakeStatServices;
  let child: ChildProcess;
  let port = 0;
  let workers: WorkerInfo[] = [];
  const clients: TestClient[] = [];

  async function clientOn(pid: number): Promise<TestClient> {
    for (let i = 0; i < 20; i++) {
      const c = await TestClient.open(`ws://127.0.0.1:${port}/`);
      clients.push(c);
      if (Number(await c.request('whoami')) === pid) return c;
    }
    throw new Error(`no connection landed on worker ${pid}`);
  }

  before(async () => {
    fake = await startFakeStatServices();
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/stats-cluster-app.ts'], {
      env: {
        ...process.env,
        WORKERS: '2',
        LOG_LEVEL: 'error',
        STAT_OBJ: fake.statObj,
        PROPERTY_OBJ: fake.propertyObj,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.once('exit', () => child.kill('SIGKILL'));
    const first = await new Promise<{ port: number; workers: WorkerInfo[] }>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (text) => {
        try {
          const line = JSON.parse(text) as { port?: number; workers?: WorkerInfo[] };
          if (typeof line.port === 'number' && line.workers)
            resolve({ port: line.port, workers: line.workers });
        } catch {
          // a worker's log line
        }
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
    await fake.close();
  });

  it('counts the commands of both workers exactly once', { timeout: 30_000 }, async () => {
    const [w0, w1] = workers as [WorkerInfo, WorkerInfo];
    const a = await clientOn(w0.pid);
    const b = await clientOn(w1.pid);
    for (let i = 0; i < 5; i++) await a.sync();
    for (let i = 0; i < 7; i++) await b.sync();
    const whoami = clients.length; // one whoami per client opened
    const sent = { 'ping|0': 12, 'whoami|0': whoami };
    const reported = (): Record<string, number> =>
      Object.fromEntries(
        [...totals(fake.stat.reports.all, false)].filter(([k]) => k in sent).map(([k, v]) => [k, v.count]),
      );
    await fake.stat.reports.until(
      () => (reported()['ping|0'] ?? 0) >= 12 && (reported()['whoami|0'] ?? 0) >= whoami,
    );
    // Two more reports (the properties go out every second) must not add anything.
    const seen = fake.property.reports.all.length;
    await fake.property.reports.until((all) => all.length >= seen + 2);
    assert.deepEqual(reported(), sent);
  });

  it('reports the connections of both workers summed', { timeout: 30_000 }, async () => {
    const open = clients.filter((c) => c.ws.readyState === c.ws.OPEN).length;
    const maxConnections = (m: (typeof fake.property.reports.all)[number]): number => {
      for (const [h, b] of m) {
        if (h.propertyName === 'connections') return Number(b.vInfo.find((i) => i.policy === 'Max')?.value);
      }
      return -1;
    };
    await fake.property.reports.until((all) => all.some((m) => maxConnections(m) === open));
    const last = fake.property.reports.all.at(-1)!;
    assert.equal(maxConnections(last), open);
  });
});
