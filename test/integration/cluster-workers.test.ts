import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { within } from '../support/deadline.js';
import { TestClient } from '../support/gateway.js';

interface WorkerInfo {
  workerId: number;
  pid: number;
}
type Line = { port: number; workers: WorkerInfo[]; restarted?: number };

/** GET on a new TCP connection each time, so the primary hands each request to the next worker. */
function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/**
 * Two workers behind one port, with the in-process broker through the primary and no external service; the room
 * store is the primary's memory store (over IPC) or the file store the workers share.
 */
for (const roomStore of ['memory', 'file'] as const) {
  describe(`cluster of two workers, ${roomStore} room store`, () => {
    let child: ChildProcess;
    const storeDir = mkdtempSync(join(tmpdir(), 'tars-ws-cluster-rooms-'));
    let port = 0;
    let workers: WorkerInfo[] = [];
    const lines: Line[] = [];
    const waiters: ((l: Line) => void)[] = [];
    const clients: TestClient[] = [];

    /** The primary's next line: its start, then one per restarted worker (which first waits for its sweep). */
    const nextLine = (what: string, withinMs = 40_000): Promise<Line> =>
      within(new Promise<Line>((resolve) => waiters.push(resolve)), withinMs, what);
    const url = (): string => `ws://127.0.0.1:${port}/`;

    /** Opens clients until one lands on each of the wanted worker pids (the primary hands out connections in turn). */
    async function clientOn(pid: number): Promise<TestClient> {
      for (let i = 0; i < 20; i++) {
        const c = await TestClient.open(url());
        clients.push(c);
        if (Number(await c.request('whoami')) === pid) return c;
      }
      throw new Error(`no connection landed on worker ${pid}`);
    }

    before(async () => {
      child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cluster-app.ts'], {
        env: {
          ...process.env,
          WORKERS: '2',
          ROOM_STORE: roomStore,
          ROOM_STORE_DIR: storeDir,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // Never leave a cluster behind, even if this file fails before its after hook.
      process.once('exit', () => child.kill('SIGKILL'));
      createInterface({ input: child.stdout! }).on('line', (text) => {
        // Workers share this stdout for their logs; only the primary's lines carry `port`.
        const line = JSON.parse(text) as Partial<Line>;
        if (typeof line.port !== 'number') return;
        lines.push(line as Line);
        waiters.shift()?.(line as Line);
      });
      const first = await nextLine('the cluster starting', 60_000);
      port = first.port;
      workers = first.workers;
      assert.equal(workers.length, 2);
    });

    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    });

    it('delivers a room message to members on both workers', async () => {
      const [w0, w1] = workers as [WorkerInfo, WorkerInfo];
      const a = await clientOn(w0.pid);
      const b = await clientOn(w1.pid);
      await a.subscribe('both');
      await b.subscribe('both');
      const got = Promise.all([a.waitFor('hi both'), b.waitFor('hi both')]);
      a.ws.send('sendByRoom|{"roomNum":"both","message":"hi both"}');
      await got;
    });

    it('delivers a broadcast to clients on both workers exactly once', async () => {
      const [w0, w1] = workers as [WorkerInfo, WorkerInfo];
      const a = await clientOn(w0.pid);
      const b = await clientOn(w1.pid);
      const got = Promise.all([
        a.waitFor('to all once'),
        b.waitFor('to all once'),
        b.waitFor('Broadcast success!'),
      ]);
      b.ws.send('broadcast|{"message":"to all once"}');
      await got;
      await a.sync();
      await b.sync();
      assert.equal(a.received.filter((m) => m === 'to all once').length, 1);
      assert.equal(b.received.filter((m) => m === 'to all once').length, 1);
    });

    it('delivers HTTP pushes whichever worker takes the request', async () => {
      const [w0, w1] = workers as [WorkerInfo, WorkerInfo];
      const a = await clientOn(w0.pid);
      const b = await clientOn(w1.pid);
      await a.subscribe('http-room');
      await b.subscribe('http-room');
      const answered = new Set<number>();
      for (let i = 0; i < 4; i++) {
        const got = Promise.all([a.waitFor(`push ${i}`), b.waitFor(`push ${i}`)]);
        const who = JSON.parse(
          await httpGet(`http://127.0.0.1:${port}/test/push?room=http-room&message=push%20${i}`),
        ) as { pid: number };
        await got;
        answered.add(who.pid);
      }
      assert.equal(answered.size, 2, 'both workers answered HTTP requests');
    });

    it('shares room membership between workers', async () => {
      const [w0, w1] = workers as [WorkerInfo, WorkerInfo];
      await (await clientOn(w0.pid)).subscribe('shared');
      await (await clientOn(w1.pid)).subscribe('shared');
      const res = (await (await fetch(`http://127.0.0.1:${port}/test/members?room=shared`)).json()) as {
        members: number[];
      };
      assert.equal(res.members.length, 2);
    });

    it('restarts a worker that dies and removes its connections from every room', async () => {
      const [w0, w1] = workers as [WorkerInfo, WorkerInfo];
      const survivor = await clientOn(w0.pid);
      const doomed = await clientOn(w1.pid);
      await survivor.subscribe('after-crash');
      await doomed.subscribe('after-crash');
      const restarted = nextLine('the killed worker restarting');
      process.kill(w1.pid, 'SIGKILL');
      const line = await restarted;
      workers = line.workers; // first, so that a failure here does not fail the next test too
      assert.equal(line.restarted, 1);
      const res = (await (await fetch(`http://127.0.0.1:${port}/test/members?room=after-crash`)).json()) as {
        members: number[];
      };
      assert.equal(res.members.length, 1);
      const got = survivor.waitFor('still here');
      await fetch(`http://127.0.0.1:${port}/Index/pushByRoom?roomNum=after-crash&message=still%20here`);
      await got;
    });

    it(
      'removes the connections of a worker that died holding the store lock',
      { skip: roomStore !== 'file' && 'only the file store has a lock' },
      async () => {
        const [w0, w1] = workers as [WorkerInfo, WorkerInfo];
        await (await clientOn(w0.pid)).subscribe('held-lock');
        await (await clientOn(w1.pid)).subscribe('held-lock');
        // What a worker killed in the middle of a write leaves: the lock, fresh, so the primary's removal of its
        // connections waits (5 s, lockTimeoutMs) and has to try again until it is stale (10 s, lockStaleMs).
        mkdirSync(join(storeDir, '.lock'));
        const restarted = nextLine('the worker killed holding the lock restarting');
        process.kill(w1.pid, 'SIGKILL');
        workers = (await restarted).workers;
        const res = (await (await fetch(`http://127.0.0.1:${port}/test/members?room=held-lock`)).json()) as {
          members: number[];
        };
        assert.equal(res.members.length, 1);
      },
    );

    it("shares history offsets and presence between workers, and drops a dead worker's presence", async () => {
      const [w0, w1] = workers as [WorkerInfo, WorkerInfo];
      const first = JSON.parse(await (await clientOn(w0.pid)).request('engines|news')) as {
        offset: number;
        epoch: string;
      };
      const second = JSON.parse(await (await clientOn(w1.pid)).request('engines|news')) as {
        offset: number;
        epoch: string;
      };
      assert.deepEqual([first.offset, second.offset], [1, 2], 'one numbering for both workers');
      assert.equal(second.epoch, first.epoch);
      const presence = async (): Promise<string[]> =>
        Object.keys(
          (
            (await (await fetch(`http://127.0.0.1:${port}/test/presence?channel=news`)).json()) as {
              presence: Record<string, unknown>;
            }
          ).presence,
        );
      assert.equal((await presence()).length, 2);
      const restarted = nextLine('the killed worker restarting');
      process.kill(w1.pid, 'SIGKILL');
      workers = (await restarted).workers;
      const left = await presence();
      assert.deepEqual(
        left.map((client) => client.split(':')[0]),
        [String(w0.pid)],
      );
    });
  });
}
