/**
 * The admin dashboard's API on one gateway: off without a password, the login (cookie flags, wrong password
 * delayed, lockout), the session and CSRF rules of every action, rooms paged and searched over 100k rooms,
 * connections and their detail, and the actions (push, disconnect, drain).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { MemoryRoomStore } from '../../src/index.js';
import { ADMIN_PASSWORD, AdminClient, startAdminGateway } from '../support/admin.js';
import { eventually } from '../support/eventually.js';
import { startGateway, TestClient, wsUrl } from '../support/gateway.js';

async function signedIn(overrides = {}, deps = {}) {
  const started = await startAdminGateway(overrides, deps);
  const admin = new AdminClient(started.gateway.url);
  assert.equal((await admin.login()).status, 200);
  return { ...started, admin };
}

describe('admin dashboard: access', () => {
  it('does not exist without adminPassword: /admin/ and the API answer 404', async () => {
    const gateway = await startGateway();
    try {
      assert.equal((await fetch(`${gateway.url}/admin/`)).status, 404);
      const admin = new AdminClient(gateway.url);
      assert.equal((await admin.login(ADMIN_PASSWORD)).status, 404);
      assert.equal((await admin.get('nodes')).status, 404);
    } finally {
      await gateway.close();
    }
  });

  it('serves the page with the CSP headers and uPlot from the installed package', async () => {
    const { gateway } = await startAdminGateway();
    try {
      const page = await fetch(`${gateway.url}/admin/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      assert.match(await page.text(), /vendor\/uplot\/uPlot\.iife\.min\.js/);
      const lib = await fetch(`${gateway.url}/admin/vendor/uplot/uPlot.iife.min.js`);
      assert.equal(lib.status, 200);
      assert.match(lib.headers.get('content-type') ?? '', /javascript/);
    } finally {
      await gateway.close();
    }
  });

  it('refuses a wrong password with 401 after a delay that doubles with each failure', async () => {
    const { gateway } = await startAdminGateway({ adminLoginDelayMs: 100 });
    try {
      const admin = new AdminClient(gateway.url);
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const res = await admin.login('wrong');
        times.push(performance.now() - started);
        assert.equal(res.status, 401);
        assert.equal(res.headers.get('set-cookie'), null);
      }
      assert.ok((times[0] ?? 0) >= 95, `first failure answered after ${times[0]} ms`);
      assert.ok((times[2] ?? 0) >= 395, `third failure answered after ${times[2]} ms`);
    } finally {
      await gateway.close();
    }
  });

  it('locks an address out after five failures (429 with Retry-After), even for the right password', async () => {
    const { gateway } = await startAdminGateway({ adminLoginDelayMs: 20 });
    try {
      const admin = new AdminClient(gateway.url);
      for (let i = 0; i < 5; i++) assert.equal((await admin.login('wrong')).status, 401);
      const locked = await admin.login(ADMIN_PASSWORD);
      assert.equal(locked.status, 429);
      assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    } finally {
      await gateway.close();
    }
  });

  it('gives a signed session cookie: HttpOnly, SameSite=Strict, Path=/admin, with a Max-Age', async () => {
    const { gateway } = await startAdminGateway({ adminSessionTtlMs: 60_000 });
    try {
      const admin = new AdminClient(gateway.url);
      const res = await admin.login();
      assert.equal(res.status, 200);
      const cookie = res.headers.get('set-cookie') ?? '';
      assert.match(cookie, /^tars_ws_admin=[^;]+; /);
      assert.match(cookie, /; HttpOnly(;|$)/);
      assert.match(cookie, /; SameSite=Strict(;|$)/);
      assert.match(cookie, /; Path=\/admin(;|$)/);
      assert.match(cookie, /; Max-Age=60(;|$)/);
      assert.equal((await admin.get('nodes')).status, 200);
      // Tampered: the signature no longer matches.
      admin.cookie = admin.cookie.replace(
        /^(tars_ws_admin=)(\d)/,
        (_m, p: string, d: string) => `${p}${(Number(d) + 1) % 10}`,
      );
      assert.equal((await admin.get('nodes')).status, 401);
      assert.equal((await new AdminClient(gateway.url).get('nodes')).status, 401);
    } finally {
      await gateway.close();
    }
  });

  it('signs out: the cookie is cleared (Max-Age=0)', async () => {
    const { gateway, admin } = await signedIn();
    try {
      const res = await admin.post('logout', {});
      assert.equal(res.status, 200);
      assert.match(res.headers.get('set-cookie') ?? '', /^tars_ws_admin=; .*Max-Age=0/);
      admin.cookie = (res.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
      assert.equal((await admin.get('nodes')).status, 401);
    } finally {
      await gateway.close();
    }
  });

  it('ends a session when it expires', async () => {
    const { gateway, admin } = await signedIn({ adminSessionTtlMs: 1000 });
    try {
      assert.equal((await admin.get('nodes')).status, 200);
      await eventually(
        async () => (await admin.get('nodes')).status,
        (status) => status === 401,
        { withinMs: 3000, what: 'the session expiring' },
      );
    } finally {
      await gateway.close();
    }
  });

  it('refuses actions without the CSRF token, with a wrong one, from a foreign Origin or cross-site', async () => {
    const { gateway, admin } = await signedIn();
    try {
      const push = { room: 'room1', message: 'hi' };
      assert.equal((await admin.post('push', push, { csrf: false })).status, 403);
      assert.equal((await admin.post('push', push, { csrf: 'x'.repeat(43) })).status, 403);
      assert.equal((await admin.post('push', push, { origin: 'http://evil.example' })).status, 403);
      const crossSite = await fetch(`${gateway.url}/admin/api/push`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: admin.cookie,
          'x-csrf-token': admin.csrf,
          'sec-fetch-site': 'cross-site',
        },
        body: JSON.stringify(push),
      });
      assert.equal(crossSite.status, 403);
      assert.equal((await admin.post('push', push, { origin: gateway.url })).status, 200);
    } finally {
      await gateway.close();
    }
  });

  it('refuses a login from a page of another origin', async () => {
    const { gateway } = await startAdminGateway();
    try {
      const res = await new AdminClient(gateway.url).post(
        'login',
        { password: ADMIN_PASSWORD },
        { csrf: false, origin: 'http://evil.example' },
      );
      assert.equal(res.status, 403);
    } finally {
      await gateway.close();
    }
  });
});

describe('admin dashboard: rooms, connections and actions', () => {
  it('pages and searches 100k rooms quickly, with member counts', async () => {
    const store = new MemoryRoomStore();
    for (let i = 0; i < 100_000; i++) await store.add(`room-${String(i).padStart(6, '0')}`, 1 + (i % 7));
    await store.add('room-000003', 99);
    const { gateway, admin } = await signedIn({}, { store });
    try {
      const first = await admin.get('rooms?limit=10');
      assert.equal(first.status, 200);
      assert.equal(first.body['total'], 100_000);
      const rooms = first.body['rooms'] as { room: string; members: number }[];
      assert.equal(rooms.length, 10);
      assert.deepEqual(rooms[3], { room: 'room-000003', members: 2 });
      const started = performance.now();
      const page = await admin.get('rooms?offset=50000&limit=5');
      const elapsed = performance.now() - started;
      assert.deepEqual(
        (page.body['rooms'] as { room: string }[]).map((r) => r.room),
        ['room-050000', 'room-050001', 'room-050002', 'room-050003', 'room-050004'],
      );
      assert.ok(elapsed < 250, `a page of 100k rooms took ${elapsed.toFixed(0)} ms`);
      const search = await admin.get('rooms?search=ROOM-09999&limit=50');
      assert.equal(search.body['total'], 10);
      assert.equal((search.body['rooms'] as unknown[]).length, 10);
    } finally {
      await gateway.close();
    }
  });

  it('lists connections and shows one in detail: protocol, rooms, user, address, buffered bytes', async () => {
    const { gateway, admin } = await signedIn();
    const client = await TestClient.open(wsUrl(gateway), undefined, {
      headers: { 'user-agent': 'admin-test' },
    });
    try {
      await client.subscribe('room1');
      const list = await admin.get('connections');
      assert.equal(list.body['total'], 1);
      const [summary] = list.body['connections'] as { id: number; protocol: string; rooms: number }[];
      assert.equal(summary?.protocol, 'text');
      assert.equal(summary?.rooms, 1);
      const detail = await admin.get(`connection?id=${summary?.id}`);
      assert.equal(detail.status, 200);
      assert.deepEqual(detail.body['rooms'], ['room1']);
      assert.equal(detail.body['user'], '');
      assert.equal(detail.body['userAgent'], 'admin-test');
      assert.match(String(detail.body['address']), /127\.0\.0\.1/);
      assert.equal(typeof detail.body['bufferedBytes'], 'number');
      assert.equal((await admin.get('connection?id=999999')).status, 404);
    } finally {
      await client.close();
      await gateway.close();
    }
  });

  it("shows a Centrifugo-protocol connection's user, the sub of its token", async () => {
    const secret = 'admin-test-secret-of-sufficient-length';
    const { gateway, admin } = await signedIn({ tokenHmacSecretKey: secret });
    const token = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    const ws = new WebSocket(wsUrl(gateway, '/connection/websocket'));
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const reply = new Promise((resolve) => ws.once('message', resolve));
      ws.send(JSON.stringify({ id: 1, connect: { token } }));
      await reply;
      const [conn] = gateway.connections();
      const detail = await admin.get(`connection?id=${conn?.id}`);
      assert.equal(detail.body['user'], 'alice');
      assert.equal(detail.body['protocol'], conn?.protocol.name);
      assert.equal(detail.body['path'], '/connection/websocket');
    } finally {
      ws.close();
      await gateway.close();
    }
  });

  it('pushes to a room through the send path', async () => {
    const { gateway, admin } = await signedIn();
    const client = await TestClient.open(wsUrl(gateway));
    try {
      await client.subscribe('room1');
      const got = client.waitFor((m) => m.includes('from the admin'));
      assert.equal((await admin.post('push', { room: 'room1', message: 'from the admin' })).status, 200);
      await got;
      assert.equal((await admin.post('push', { room: 'bad\nroom', message: 'x' })).status, 400);
    } finally {
      await client.close();
      await gateway.close();
    }
  });

  it('disconnects a connection with 4009', async () => {
    const { gateway, admin } = await signedIn();
    const client = await TestClient.open(wsUrl(gateway));
    try {
      const [conn] = gateway.connections();
      assert.equal((await admin.post('disconnect', { id: conn?.id })).status, 200);
      assert.equal((await client.closed).code, 4009);
    } finally {
      await gateway.close();
    }
  });

  it('drains the node like SIGTERM: /readyz 503, clients closed with 1001', async () => {
    const { gateway, admin } = await signedIn({ drainMs: 200 });
    const client = await TestClient.open(wsUrl(gateway));
    const res = await admin.post('drain', { node: gateway.processIndex });
    assert.equal(res.status, 200);
    assert.equal(gateway.draining, true);
    assert.equal((await client.closed).code, 1001);
    await gateway.close();
  });

  it('streams node snapshots over Server-Sent Events', async () => {
    const { gateway, admin } = await signedIn();
    const ac = new AbortController();
    try {
      const res = await fetch(`${gateway.url}/admin/api/events`, {
        headers: { cookie: admin.cookie },
        signal: ac.signal,
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      assert.match(text, /^event: nodes\ndata: /);
      const data = JSON.parse(text.split('\n')[1]!.slice(6)) as {
        nodes: { node: string; connections: number }[];
      };
      assert.equal(data.nodes[0]?.node, gateway.nodeId);
      assert.equal((await fetch(`${gateway.url}/admin/api/events`)).status, 401);
    } finally {
      ac.abort();
      await gateway.close();
    }
  });
});
