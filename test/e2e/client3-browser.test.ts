/**
 * client3.html, the chat page on the official Centrifugo SDK, in a real Chromium against the demo app: the SDK is
 * served from the installed package, the page connects anonymously or with a demo token, joins a room shared with
 * the text pages both ways, and reconnects and resubscribes after the server drops it. In `chat:lobby` (presence,
 * join/leave, history): who is online, live; the last messages on entering; and, with the Redis engines, the
 * messages published by another node while the page's gateway was restarted, recovered.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { createChatApp, DEMO_CONFIG } from '../../examples/chat/app.js';
import { loadConfig, type Gateway, type GatewayConfig } from '../../src/index.js';
import { CHROMIUM_MISSING, launchChromium } from '../support/browser.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { TestClient, wsUrl } from '../support/gateway.js';
import { findRedis, stopSharedRedis, uniquePrefix, wipePrefix } from '../support/redis-server.js';

const SCREENSHOT_DIR = 'test-output';
const redis = await findRedis();
const redisSkip = redis.skip;
const redisUrl = redis.url ?? '';

async function startDemo(overrides: Partial<GatewayConfig> = {}): Promise<Gateway> {
  // The demo's own config file, as `npm start` reads it: rooms open to SDK clients, the `chat` namespace.
  const config = loadConfig({
    argv: ['--config', DEMO_CONFIG ?? 'examples/chat/config.json'],
    env: {},
    overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', ...overrides },
  });
  const gateway = await createChatApp(config);
  await gateway.listen();
  return gateway;
}

async function openClient3(
  browser: Browser,
  gateway: Gateway,
  user: string,
  query = '',
): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(`${gateway.url}/clients/client3.html${query}`);
  await page.fill('#user', user);
  return { page, problems };
}

/** A page opened as `user` (`?user=`, so its first connect already has the name) and joined to `chat:lobby`. */
async function inLobby(
  browser: Browser,
  gateway: Gateway,
  user: string,
): Promise<{ page: Page; problems: string[] }> {
  const opened = await openClient3(browser, gateway, user, `?user=${user}`);
  await opened.page.locator('#myChannel', { hasText: 'chat:lobby' }).waitFor();
  await opened.page.locator('#joined[data-joined="true"]').waitFor();
  return opened;
}

function online(page: Page, users: string): Promise<void> {
  return page.locator('#online', { hasText: new RegExp(`^${users}$`) }).waitFor();
}

/** The text of the page's log lines of one kind (in, history, note), in order. */
function lines(page: Page, kind: string): Promise<string[]> {
  return page.locator(`#log li.${kind} .text`).allTextContents();
}

function received(page: Page, text: string): Locator {
  return page.locator('#log li.in .text').getByText(text, { exact: true });
}

async function join(page: Page, channel: string): Promise<void> {
  await page.fill('#channel', channel);
  await page.click('#joinButton');
  await page.locator('#joined[data-joined="true"]').waitFor();
  await page.locator('#myChannel', { hasText: channel }).waitFor();
}

describeOrSkip('client3.html on the Centrifugo SDK in Chromium', { skip: CHROMIUM_MISSING }, () => {
  let browser: Browser | undefined;
  const gateways: Gateway[] = [];
  const texts: TestClient[] = [];

  before(async () => {
    browser = await launchChromium();
    await mkdir(SCREENSHOT_DIR, { recursive: true });
  });
  after(async () => {
    await Promise.all(texts.map((t) => t.close()));
    await browser?.close();
    await Promise.all(gateways.map((g) => g.close()));
    await stopSharedRedis();
  });

  it('connects anonymously and meets the text pages in room1, both ways', async () => {
    const gateway = await startDemo();
    gateways.push(gateway);
    const { page, problems } = await openClient3(browser!, gateway, 'carol');
    await page.locator('#status', { hasText: /^connected$/ }).waitFor();
    assert.match((await page.textContent('#auth')) ?? '', /Anonymous/);
    await join(page, 'room1');

    const text = await TestClient.open(wsUrl(gateway));
    texts.push(text);
    assert.equal(await text.request('subscribe|room1'), 'Subscribe roomNum:room1 success!');
    text.ws.send('sendByRoom|{"roomNum":"room1","message":"hello from client 1"}');
    await received(page, 'hello from client 1').waitFor();

    const seen = text.waitFor('carol: hi from the SDK page');
    await page.fill('#message', 'hi from the SDK page');
    await page.click('#send');
    await seen;
    await page.screenshot({ path: `${SCREENSHOT_DIR}/client3-room1.png` });
    assert.deepEqual(problems, []);
  });

  it('signs in with a short-lived token from the demo endpoint when a secret is set', async () => {
    const gateway = await startDemo({ tokenHmacSecretKey: 'demo-secret-for-the-browser-test' });
    gateways.push(gateway);
    const { page, problems } = await openClient3(browser!, gateway, 'dave');
    // The page connected once on load as "guest"; reconnect under the chosen name.
    await page.locator('#status', { hasText: /^connected$/ }).waitFor();
    await page.click('#disconnect');
    await page.click('#connect');
    await page.locator('#auth', { hasText: 'Signed in as dave' }).waitFor();
    await page.locator('#status', { hasText: /^connected$/ }).waitFor();
    await join(page, 'room2');
    await gateway.sendToRoom('room2', 'pushed to room2');
    await received(page, 'pushed to room2').waitFor();
    assert.deepEqual(problems, []);
  });

  it('reconnects and resubscribes by itself after the server drops the connection', async () => {
    const gateway = await startDemo();
    gateways.push(gateway);
    const { page, problems } = await openClient3(browser!, gateway, 'erin');
    await page.locator('#status', { hasText: /^connected$/ }).waitFor();
    await join(page, 'room1');
    for (const conn of gateway.connections()) conn.close(3001, 'shutdown');
    await page.locator('#status', { hasText: /^connecting$/ }).waitFor();
    await page.locator('#status', { hasText: /^connected$/ }).waitFor();
    await page.locator('#joined[data-joined="true"]').waitFor();
    await gateway.sendToRoom('room1', 'after the reconnect');
    await received(page, 'after the reconnect').waitFor();
    assert.deepEqual(problems, []);
  });

  it('shows who is online in chat:lobby, each page seeing the other come and go live', async () => {
    const gateway = await startDemo({ tokenHmacSecretKey: 'demo-secret-for-the-presence-test' });
    gateways.push(gateway);
    const alice = await inLobby(browser!, gateway, 'alice');
    await online(alice.page, 'alice');
    const bob = await inLobby(browser!, gateway, 'bob');
    // Bob reads the presence on entering; Alice is told by the join push.
    await online(bob.page, 'alice, bob');
    await online(alice.page, 'alice, bob');
    await alice.page.click('#disconnect');
    await online(bob.page, 'bob');
    await alice.page.click('#connect');
    await online(bob.page, 'alice, bob');
    await online(alice.page, 'alice, bob');
    await bob.page.close();
    await online(alice.page, 'alice');
    assert.deepEqual([...alice.problems, ...bob.problems], []);
  });

  it('shows the last messages of chat:lobby on entering, as history lines in order', async () => {
    const gateway = await startDemo();
    gateways.push(gateway);
    for (const text of ['earlier 1', 'earlier 2', 'earlier 3']) await gateway.sendToRoom('chat:lobby', text);
    const { page, problems } = await inLobby(browser!, gateway, 'hana');
    await page.locator('#log li.history').nth(2).waitFor();
    assert.deepEqual(await lines(page, 'history'), ['earlier 1', 'earlier 2', 'earlier 3']);
    await gateway.sendToRoom('chat:lobby', 'live after entering');
    await received(page, 'live after entering').waitFor();
    assert.deepEqual(problems, []);
  });

  describeOrSkip('with the Redis engines', { skip: redisSkip }, () => {
    const prefix = uniquePrefix('client3');
    after(() => wipePrefix(redisUrl, prefix));

    it("recovers the messages another node published while the page's gateway was restarted", async () => {
      const onRedis: Partial<GatewayConfig> = {
        roomStore: 'redis',
        broker: 'redis',
        historyEngine: 'redis',
        presenceEngine: 'redis',
        redisUrl,
        redisKeyPrefix: prefix,
        drainMs: 0,
        shutdownGraceMs: 2000,
      };
      const first = await startDemo(onRedis);
      const other = await startDemo(onRedis);
      gateways.push(first, other);
      const { page, problems } = await inLobby(browser!, first, 'rita');
      await other.sendToRoom('chat:lobby', 'before the restart');
      await received(page, 'before the restart').waitFor();

      const port = first.address.port;
      await first.close();
      await page.locator('#status', { hasText: /^connecting$/ }).waitFor();
      await other.sendToRoom('chat:lobby', 'missed 1');
      await other.sendToRoom('chat:lobby', 'missed 2');
      const restarted = await startDemo({ ...onRedis, port });
      gateways.push(restarted);

      // The SDK reconnects with backoff, resubscribes with its last offset and gets what it missed.
      await page
        .locator('#log li.note .text', { hasText: 'joined chat:lobby (missed messages recovered)' })
        .waitFor({ timeout: 30_000 });
      await received(page, 'missed 2').waitFor();
      assert.deepEqual(await lines(page, 'in:not(.history)'), ['before the restart', 'missed 1', 'missed 2']);
      await other.sendToRoom('chat:lobby', 'after the restart');
      await received(page, 'after the restart').waitFor();
      await page.screenshot({ path: `${SCREENSHOT_DIR}/client3-recovered.png` });
      assert.deepEqual(problems, []);
    });
  });
});
