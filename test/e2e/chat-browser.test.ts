/**
 * The demo's two chat pages in a real Chromium against a real gateway: joining rooms, room messages, broadcasts,
 * HTTP pushes, text rendering, heartbeat, reconnect after a server close, and a Disconnect that stays disconnected.
 * Page timers run on Playwright's paused clock, so pings and backoff delays happen when the test says, not by sleeping.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { createChatApp } from '../../examples/chat/app.js';
import { CloseCode } from '../../src/errors.js';
import { loadConfig, type Gateway } from '../../src/index.js';
import { CHROMIUM_MISSING, launchChromium } from '../support/browser.js';

const SCREENSHOT_DIR = 'test-output';

/** One chat page and what the test observed of it from outside the DOM. */
interface ChatPage {
  page: Page;
  /** Every text frame the page sent, in order. */
  sent: string[];
  /** WebSockets the page created. */
  sockets: number;
  /** Uncaught page errors and dialogs (an `alert` would mean injected markup ran). */
  problems: string[];
}

async function openChat(browser: Browser, baseUrl: string, n: 1 | 2): Promise<ChatPage> {
  // One context per page: each gets its own clock.
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const chat: ChatPage = { page, sent: [], sockets: 0, problems: [] };
  page.on('websocket', (ws) => {
    chat.sockets++;
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
function received(chat: ChatPage, text: string): Locator {
  return chat.page.locator('#log li.in .text').getByText(text, { exact: true });
}

function status(chat: ChatPage, text: string | RegExp): Promise<void> {
  const pattern = typeof text === 'string' ? new RegExp(`^${text}$`) : text;
  return chat.page.locator('#status', { hasText: pattern }).waitFor();
}

async function type(chat: ChatPage, fields: { room?: string; message: string }): Promise<void> {
  if (fields.room !== undefined) await chat.page.fill('#room', fields.room);
  await chat.page.fill('#message', fields.message);
}

describe('chat pages in Chromium', { skip: CHROMIUM_MISSING ?? false }, () => {
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
    await received(c1, 'Subscribe roomNum:room1 success!').waitFor();
    await received(c2, 'Subscribe roomNum:room2 success!').waitFor();
    await Promise.all([status(c1, 'connected'), status(c2, 'connected')]);
    assert.equal(await c1.page.textContent('#joined'), 'joined');
    assert.equal(c1.sent[0], 'subscribe|room1');
    assert.equal(c2.sent[0], 'subscribe|room2');
    assert.equal(gateway?.connectionCount, 2);
  });

  it('a room message from client1 to room2 reaches client2 and not client1', async () => {
    const text = 'hello room2, from client1';
    await type(c1, { room: 'room2', message: text });
    await c1.page.click('#sendRoom');
    await received(c1, 'SendByRoom success!').waitFor();
    await received(c2, text).waitFor();
    // The server pushes to the room before it replies to the sender, so nothing more can arrive for client1.
    assert.equal(await received(c1, text).count(), 0);
    assert.equal(c1.sent.at(-1), `sendByRoom|${JSON.stringify({ roomNum: 'room2', message: text })}`);
  });

  it('a broadcast from client2 reaches both pages', async () => {
    const text = 'hello everyone, from client2';
    await type(c2, { message: text });
    await c2.page.click('#broadcast');
    await received(c2, 'Broadcast success!').waitFor();
    await received(c2, text).waitFor();
    await received(c1, text).waitFor();
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
    await received(c1, toRoom).waitFor();
    await received(c1, toAll).waitFor();
    await received(c2, toAll).waitFor();
    // Pushes reach a connection in order: client2 has the later one, so it would have the room push by now.
    assert.equal(await received(c2, toRoom).count(), 0);
  });

  it('markup in a message is shown as text and never run', async () => {
    const text = '<img src=x onerror=alert(1)> <b>not bold</b>';
    await type(c1, { message: text });
    await c1.page.click('#broadcast');
    for (const chat of [c1, c2]) {
      const line = received(chat, text);
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
    await status(c1, /^reconnecting in \d+s$/);
    await closed;
    assert.equal(await c1.page.textContent('#joined'), 'not joined');
    await c1.page.clock.runFor(1000); // the first backoff is at most 500 ms
    await received(c1, 'Subscribe roomNum:room1 success!').nth(1).waitFor();
    await status(c1, 'connected');
    assert.equal(c1.sockets, 2);
    assert.equal(gw.connectionCount, 2);
  });

  it('Disconnect closes the connection and the page does not reconnect', async () => {
    const gw = gateway!;
    const countBefore = gw.connectionCount;
    const socketsBefore = c1.sockets;
    const closed = once(gw, 'close');
    await c1.page.click('#disconnect');
    await status(c1, 'disconnected');
    await closed;
    assert.equal(gw.connectionCount, countBefore - 1);
    // Two minutes of page time: longer than any backoff delay and a dozen ping periods.
    await c1.page.clock.runFor(120_000);
    await c1.page.evaluate('1');
    assert.equal(await c1.page.textContent('#status'), 'disconnected');
    assert.equal(c1.sockets, socketsBefore);
    assert.equal(gw.connectionCount, countBefore - 1);
  });

  it('the index page links both chat pages', async () => {
    const page = await browser!.newPage();
    try {
      await page.goto(`${gateway!.url}/clients/`);
      const links = page.locator('a[href$=".html"]');
      assert.deepEqual(await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href)), [
        `${gateway!.url}/clients/client1.html`,
        `${gateway!.url}/clients/client2.html`,
      ]);
    } finally {
      await page.close();
    }
  });

  it('Connect after Disconnect opens a new connection and joins the room again', async () => {
    const joins = received(c1, 'Subscribe roomNum:room1 success!');
    const before = await joins.count();
    await c1.page.click('#connect');
    await joins.nth(before).waitFor();
    await status(c1, 'connected');
    assert.equal(gateway?.connectionCount, 2);
    assert.deepEqual(c1.problems, []);
    assert.deepEqual(c2.problems, []);
  });
});
