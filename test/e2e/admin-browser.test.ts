/**
 * The admin dashboard in a real Chromium against two gateways sharing Redis (one gateway when no Redis is found):
 * sign in, see both nodes, see a connection appear and disappear, push from the page and see it arrive in test
 * clients on both nodes, with no page error and no CSP violation. Screenshots go to test-output/; with
 * `UPDATE_DOCS_SCREENSHOTS=1` the dashboard's also to docs/images/admin-dashboard.png (the one docs show).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Gateway } from '../../src/index.js';
import { ADMIN_PASSWORD, startAdminGateway } from '../support/admin.js';
import { CHROMIUM_MISSING, launchChromium } from '../support/browser.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { TestClient, wsUrl } from '../support/gateway.js';
import { findRedis, stopSharedRedis, uniquePrefix, wipePrefix } from '../support/redis-server.js';

const SCREENSHOT_DIR = 'test-output';
const redis = await findRedis();
after(stopSharedRedis);

describeOrSkip('admin dashboard in Chromium', { skip: CHROMIUM_MISSING }, () => {
  const prefix = uniquePrefix('admin-e2e');
  const gateways: Gateway[] = [];
  const clients: TestClient[] = [];
  const problems: string[] = [];
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    const shared = redis.url
      ? ({ roomStore: 'redis', broker: 'redis', redisUrl: redis.url, redisKeyPrefix: prefix } as const)
      : {};
    for (let i = 0; i < (redis.url ? 2 : 1); i++) {
      const { gateway } = await startAdminGateway({
        ...shared,
        adminSecret: 'e2e-secret',
        host: '127.0.0.1',
      });
      gateways.push(gateway);
    }
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      // The wrong password's 401 is logged by Chromium as a failed resource: expected, everything else is not.
      if (msg.type() === 'error' && !msg.text().includes('status of 401'))
        problems.push(`console: ${msg.text()}`);
    });
    await page.goto(`${gateways[0]!.url}/admin/`);
  });

  after(async () => {
    if (browser && page) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOT_DIR}/admin-dashboard-end.png`, fullPage: true });
    }
    await browser?.close();
    await Promise.all(clients.map((c) => c.close()));
    for (const g of gateways) await g.close();
    if (redis.url) await wipePrefix(redis.url, prefix);
  });

  it('refuses a wrong password, then signs in and shows every node', async () => {
    await page.locator('#login').waitFor();
    await page.fill('#password', 'not the password');
    await page.click('#login-button');
    await page.locator('#login-error', { hasText: 'wrong password' }).waitFor();
    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('#login-button');
    await page.locator('#dashboard').waitFor();
    await page.locator('#live', { hasText: 'live' }).waitFor();
    for (const g of gateways) await page.locator(`#nodes tr[data-node="${g.processIndex}"]`).waitFor();
    assert.equal(await page.locator('#nodes tbody tr').count(), gateways.length);
  });

  it('shows a connection appear and disappear', async () => {
    const first = gateways[0]!;
    await page.selectOption('#conn-node', String(first.processIndex));
    const client = await TestClient.open(wsUrl(first));
    await client.subscribe('admin-e2e');
    const [conn] = first.connections();
    const row = page.locator(`#connections tr[data-id="${conn!.id}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /text/);
    await client.close();
    await row.waitFor({ state: 'detached' });
  });

  it('pushes from the page to a room, reaching clients on every node', async () => {
    for (const g of gateways) {
      const c = await TestClient.open(wsUrl(g));
      await c.subscribe('lobby');
      clients.push(c);
    }
    const arrived = clients.map((c) => c.waitFor((m) => m.includes('hello from the dashboard')));
    await page.fill('#push-room', 'lobby');
    await page.fill('#push-message', 'hello from the dashboard');
    await page.click('#push-button');
    await page.locator('#push-status', { hasText: 'pushed to lobby' }).waitFor();
    await Promise.all(arrived);
    // Some traffic for the charts, then the screenshot the docs show.
    for (let i = 0; i < 20; i++)
      await clients[0]!.request(`sendByRoom|${JSON.stringify({ roomNum: 'lobby', message: `m${i}` })}`);
    if (process.env['UPDATE_DOCS_SCREENSHOTS'] === '1') {
      // For the docs: traffic until the charts hold 20 samples (one a second), so they show a curve.
      const until = Date.now() + 40_000;
      for (let i = 0; Date.now() < until; i++) {
        if (Number(await page.evaluate('samples.at.length')) >= 20) break;
        const burst = 10 + 10 * Math.round(5 + 4 * Math.sin(i / 30));
        for (let j = 0; j < burst; j++)
          await clients[j % clients.length]!.request(
            `sendByRoom|${JSON.stringify({ roomNum: 'lobby', message: `t${i}` })}`,
          );
        if (i % 40 === 0) clients.push(await TestClient.open(wsUrl(gateways[i % gateways.length]!)));
      }
    }
    await page.locator('#rooms tbody tr', { hasText: 'lobby' }).waitFor();
    await page.locator('#connections tbody tr').first().waitFor();
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const shot = `${SCREENSHOT_DIR}/admin-dashboard.png`;
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env['UPDATE_DOCS_SCREENSHOTS'] === '1')
      await copyFile(shot, 'docs/images/admin-dashboard.png');
  });

  it('had no page error and no CSP violation', () => {
    assert.deepEqual(problems, []);
  });
});
