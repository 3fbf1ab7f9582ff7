/**
 * The admin dashboard with two workers on one machine and no Redis: a session from one worker holds on the other
 * (one salt for the machine), the nodes list shows both workers through the primary, and a connection held by
 * either worker is shown and disconnected whichever worker answers the request.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD } from '../support/admin.js';
import { TestClient } from '../support/gateway.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** A request on a new TCP connection each time, so the primary hands each one to the next worker. */
function call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: object,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }),
      );
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('admin dashboard with two workers', () => {
  let child: ChildProcess;
  let port = 0;
  let workers: { workerId: number; pid: number }[] = [];
  const clients: TestClient[] = [];
  let cookie = '';
  let csrf = '';

  before(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cluster-app.ts'], {
      env: { ...process.env, WORKERS: '2', ADMIN_PASSWORD, ADMIN_LOGIN_DELAY_MS: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.once('exit', () => child.kill('SIGKILL'));
    const first = await new Promise<{ port: number; workers: typeof workers }>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (text) => {
        const line = JSON.parse(text) as { port?: number; workers: typeof workers };
        if (typeof line.port === 'number') resolve(line as { port: number; workers: typeof workers });
      });
    });
    port = first.port;
    workers = first.workers;
    const login = await call(
      port,
      'POST',
      '/admin/api/login',
      { 'content-type': 'application/json' },
      { password: ADMIN_PASSWORD },
    );
    assert.equal(login.status, 200);
    cookie = String(login.headers['set-cookie']).split(';', 1)[0] ?? '';
    csrf = String(login.body['csrf']);
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it('accepts the session on every worker and lists both workers', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const res = await call(port, 'GET', '/admin/api/nodes', { cookie });
      assert.equal(res.status, 200);
      for (const n of res.body['nodes'] as { pid: number }[]) pids.add(n.pid);
    }
    assert.deepEqual([...pids].sort(), workers.map((w) => w.pid).sort());
  });

  it('shows and disconnects a connection of each worker, whichever worker answers', async () => {
    for (let i = 0; i < 2; i++) clients.push(await TestClient.open(`ws://127.0.0.1:${port}/`));
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const nodes = (await call(port, 'GET', '/admin/api/nodes', { cookie })).body['nodes'] as {
        processIndex: number;
      }[];
      for (const n of nodes) {
        const list = await call(port, 'GET', `/admin/api/connections?node=${n.processIndex}`, { cookie });
        for (const c of list.body['connections'] as { id: number }[]) if (!ids.includes(c.id)) ids.push(c.id);
      }
    }
    assert.equal(ids.length, 2);
    for (const id of ids) {
      assert.equal((await call(port, 'GET', `/admin/api/connection?id=${id}`, { cookie })).status, 200);
      const res = await call(
        port,
        'POST',
        '/admin/api/disconnect',
        { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        { id },
      );
      assert.equal(res.status, 200);
    }
    for (const c of clients) assert.equal((await c.closed).code, 4009);
  });
});
