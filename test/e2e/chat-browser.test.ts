/**
 * The demo's two chat pages in a real Chromium against a real gateway: joining rooms, room messages, broadcasts,
 * HTTP pushes, text rendering, heartbeat, reconnect after a server close, and a Disconnect that stays disconnected.
 * Page timers run on Playwright's paused clock, so pings and backoff delays happen when the test says, not by sleeping.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import WebSocket from 'ws';
import { createChatApp } from '../../examples/chat/app.js';
import { CloseCode } from '../../src/errors.js';
import { loadConfig, type Gateway } from '../../src/index.js';
import { CHROMIUM_MISSING, launchChromium } from '../support/browser.js';
import { describeOrSkip } from '../support/describe-or-skip.js';

const SCREENSHOT_DIR = 'test-output';

/** One chat page and what the test observed of it from outside the DOM. */
interface ChatPage {
  page: Page;
  /** Every text frame the page sent, in order. */
  sent: string[];
  /** URLs of the WebSockets the page opened, in order. */
  sockets: string[];
  /** Uncaught page errors and dialogs (an `alert` would mean injected markup ran). */
  problems: string[];
}

async function openChat(browser: Browser, baseUrl: string, n: 1 | 2): Promise<ChatPage> {
  // One context per page: each gets its own clock.
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const chat: ChatPage = { page, sent: [], sockets: [], problems: [] };
  page.on('websocket', (ws) => {
    chat.sockets.push(ws.url());
    ws.on('framesent', (frame) => chat.sent.push(String(frame.payload)));
  });
  page.on('pageerror', (err) => chat.problems.push(`page error: ${err.message}`));
  page.on('dialog', (dialog) => {
    chat.problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.clock.install();
  await page.goto(`${baseUrl}/clients/client${n}.html`);
  await page.clock.pauseAt(Date.now() + 1000);
  return chat;
}

/** Log lines received from the server whose text is exactly `text`. */
function received(page: Page, text: string): Locator {
  return page.locator('#log li.in .text').getByText(text, { exact: true });
}

function status(page: Page, text: string | RegExp): Promise<void> {
  const pattern = typeof text === 'string' ? new RegExp(`^${text}$`) : text;
  return page.locator('#status', { hasText: pattern }).waitFor();
}

async function type(chat: ChatPage, fields: { room?: string; message: string }): Promise<void> {
  if (fields.room !== undefined) await chat.page.fill('#room', fields.room);
  await chat.page.fill('#message', fields.message);
}

describeOrSkip('chat pages in Chromium', { skip: CHROMIUM_MISSING }, () => {
  let gateway: Gateway | undefined;
  let browser: Browser | undefined;
  let c1: ChatPage;
  let c2: ChatPage;

  before(async () => {
    const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent' } });
    gateway = await createChatApp(config);
    await gateway.listen();
    browser = await launchChromium();
    [c1, c2] = await Promise.all([openChat(browser, gateway.url, 1), openChat(browser, gateway.url, 2)]);
  });

  after(async () => {
    if (browser && c1 && c2) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      await c1.page.screenshot({ path: `${SCREENSHOT_DIR}/chat-client1.png`, fullPage: true });
      await c2.page.screenshot({ path: `${SCREENSHOT_DIR}/chat-client2.png`, fullPage: true });
    }
    await browser?.close();
    await gateway?.close();
  });

  it('each page joins its own room when it opens', async () => {
    await received(c1.page, 'Subscribe roomNum:room1 success!').waitFor();
    await received(c2.page, 'Subscribe roomNum:room2 success!').waitFor();
    await Promise.all([status(c1.page, 'connected'), status(c2.page, 'connected')]);
    assert.equal(await c1.page.textContent('#joined'), 'joined');
    // Same host and port as the page, ws: because the page came over http:.
    assert.deepEqual(c1.sockets, [`${gateway!.url.replace(/^http:/, 'ws:')}/`]);
    assert.equal(c1.sent[0], 'subscribe|room1');
    assert.equal(c2.sent[0], 'subscribe|room2');
    assert.equal(gateway?.connectionCount, 2);
  });

  it('a room message from client1 to room2 reaches client2 and not client1', async () => {
    const text = 'hello room2, from client1';
    await type(c1, { room: 'room2', message: text });
    await c1.page.click('#sendRoom');
    await received(c1.page, 'SendByRoom success!').waitFor();
    await received(c2.page, text).waitFor();
    // The server pushes to the room before it replies to the sender, so nothing more can arrive for client1.
    assert.equal(await received(c1.page, text).count(), 0);
    assert.equal(c1.sent.at(-1), `sendByRoom|${JSON.stringify({ roomNum: 'room2', message: text })}`);
  });

  it('a broadcast from client2 reaches both pages', async () => {
    const text = 'hello everyone, from client2';
    await type(c2, { message: text });
    await c2.page.click('#broadcast');
    await received(c2.page, 'Broadcast success!').waitFor();
    await received(c2.page, text).waitFor();
    await received(c1.page, text).waitFor();
    assert.equal(c2.sent.at(-1), `broadcast|${JSON.stringify({ message: text })}`);
  });

  it('HTTP pushes reach the room or every page', async () => {
    const base = gateway?.url ?? '';
    const toRoom = 'pushed to room1 over HTTP';
    const toAll = 'pushed to all over HTTP';
    const r1 = await fetch(`${base}/Index/pushByRoom?roomNum=room1&message=${encodeURIComponent(toRoom)}`);
    assert.equal(await r1.text(), 'pushBy room success');
    const r2 = await fetch(`${base}/Index/pushAll?message=${encodeURIComponent(toAll)}`);
    assert.equal(await r2.text(), 'pushBy all success');
    await received(c1.page, toRoom).waitFor();
    await received(c1.page, toAll).waitFor();
    await received(c2.page, toAll).waitFor();
    // Pushes reach a connection in order: client2 has the later one, so it would have the room push by now.
    assert.equal(await received(c2.page, toRoom).count(), 0);
  });

  it('markup in a message is shown as text and never run', async () => {
    const text = '<img src=x onerror=alert(1)> <b>not bold</b>';
    await type(c1, { message: text });
    await c1.page.click('#broadcast');
    for (const chat of [c1, c2]) {
      const line = received(chat.page, text);
      await line.waitFor();
      assert.equal(await line.textContent(), text);
      assert.equal(await chat.page.locator('#log img, #log b').count(), 0);
      assert.deepEqual(chat.problems, []);
    }
  });

  it('an empty message is refused with a visible note and not sent', async () => {
    const sentBefore = c1.sent.length;
    await type(c1, { room: 'room1', message: '' });
    await c1.page.click('#sendRoom');
    await c1.page.locator('#notice', { hasText: 'empty' }).waitFor();
    await type(c1, { message: '   ' });
    await c1.page.click('#broadcast');
    await c1.page.locator('#notice', { hasText: 'empty' }).waitFor();
    // A round trip through the page: any frame sent by the clicks would have been reported before it ends.
    await c1.page.evaluate('1');
    assert.equal(c1.sent.length, sentBefore);
  });

  it('a connected page pings every 10 seconds', async () => {
    const pongs = c2.page.locator('#log li.pong');
    const before = await pongs.count();
    await c2.page.clock.runFor(10_000);
    await pongs.nth(before).waitFor();
    await c2.page.clock.runFor(10_000);
    await pongs.nth(before + 1).waitFor();
    assert.equal(c2.sent.filter((f) => f === 'ping').length, before + 2);
  });

  it('a page the server disconnects reconnects after a backoff and joins its room again', async () => {
    const gw = gateway!;
    const conn = [...gw.connections()].find((c) => c.rooms.has('room1'));
    assert.ok(conn, 'client1 holds a connection in room1');
    const closed = once(gw, 'close');
    conn.close(CloseCode.GoingAway, 'restarting');
    await status(c1.page, /^reconnecting in \d+s$/);
    await closed;
    assert.equal(await c1.page.textContent('#joined'), 'not joined');
    await c1.page.clock.runFor(1000); // the first backoff is at most 500 ms
    await received(c1.page, 'Subscribe roomNum:room1 success!').nth(1).waitFor();
    await status(c1.page, 'connected');
    assert.equal(c1.sockets.length, 2);
    assert.equal(gw.connectionCount, 2);
  });

  it('Disconnect closes the connection and the page does not reconnect', async () => {
    const gw = gateway!;
    const countBefore = gw.connectionCount;
    const socketsBefore = c1.sockets.length;
    const closed = once(gw, 'close');
    await c1.page.click('#disconnect');
    await status(c1.page, 'disconnected');
    await closed;
    assert.equal(gw.connectionCount, countBefore - 1);
    // Two minutes of page time: longer than any backoff delay and a dozen ping periods.
    await c1.page.clock.runFor(120_000);
    await c1.page.evaluate('1');
    assert.equal(await c1.page.textContent('#status'), 'disconnected');
    assert.equal(c1.sockets.length, socketsBefore);
    assert.equal(gw.connectionCount, countBefore - 1);
  });

  it('a page the server refuses retries with growing delays, then connects', async () => {
    // A second gateway whose only connection slot is taken: every attempt of the page is refused with 503.
    const config = loadConfig({
      env: {},
      overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', maxConnections: 1 },
    });
    const full = await createChatApp(config);
    let holder: WebSocket | undefined;
    let context: BrowserContext | undefined;
    try {
      await full.listen();
      holder = new WebSocket(`${full.url}/`);
      await once(holder, 'open');
      context = await browser!.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.clock.install();
      await page.clock.pauseAt(Date.now() + 1000);
      await page.goto(`${full.url}/clients/client1.html`);
      const failures = page.locator('#log li.note .text', { hasText: 'connection lost' });
      for (let k = 0; k < 5; k++) {
        await failures.nth(k).waitFor();
        // Attempt k+1 waits between half and all of 500 ms * 2^k (the jitter decides where).
        const cap = 500 * 2 ** k;
        await page.clock.runFor(cap / 2 - 10);
        assert.match((await page.textContent('#status')) ?? '', /^reconnecting in \d+s$/);
        assert.equal(await failures.count(), k + 1, `no attempt before ${cap / 2} ms`);
        await page.clock.runFor(cap / 2 + 10);
      }
      await failures.nth(5).waitFor();
      const closed = once(full, 'close');
      holder.close();
      await closed;
      await page.clock.runFor(500 * 2 ** 5);
      await received(page, 'Subscribe roomNum:room1 success!').waitFor();
      await status(page, 'connected');
    } finally {
      holder?.terminate();
      await context?.close();
      await full.close();
    }
  });

  it('the index page links the three chat pages', async () => {
    const page = await browser!.newPage();
    try {
      await page.goto(`${gateway!.url}/clients/`);
      const links = page.locator('a[href$=".html"]');
      assert.deepEqual(await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href)), [
        `${gateway!.url}/clients/client1.html`,
        `${gateway!.url}/clients/client2.html`,
        `${gateway!.url}/clients/client3.html`,
      ]);
    } finally {
      await page.close();
    }
  });

  it('Connect after Disconnect opens a new connection and joins the room again', async () => {
    const joins = received(c1.page, 'Subscribe roomNum:room1 success!');
    const before = await joins.count();
    await c1.page.click('#connect');
    await joins.nth(before).waitFor();
    await status(c1.page, 'connected');
    assert.equal(gateway?.connectionCount, 2);
    assert.deepEqual(c1.problems, []);
    assert.deepEqual(c2.problems, []);
  });
});
