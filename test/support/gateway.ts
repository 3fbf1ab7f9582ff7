/**
 * Test harness: a gateway built with the library API (as an application would) on an ephemeral port, and
 * WebSocket clients whose frames can be awaited. The chat example has its own helper (chat.ts).
 */
import WebSocket from 'ws';
import {
  Gateway,
  loadConfig,
  registerRoomCommands,
  type GatewayConfig,
  type GatewayDeps,
} from '../../src/index.js';
import { within } from './deadline.js';

/** A quiet configuration for tests: port 0, no logs, no heartbeat, no drain. */
export function testConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return loadConfig({
    env: {},
    overrides: {
      port: 0,
      logLevel: 'silent',
      heartbeatIntervalMs: 0,
      drainMs: 0,
      shutdownGraceMs: 2000,
      ...overrides,
    },
  });
}

/**
 * Builds a gateway with `Gateway.create`, lets `setup` add its handlers and routes (default: the room commands of
 * the original protocol, `registerRoomCommands`), and starts it listening.
 */
export async function startGateway(
  overrides: Partial<GatewayConfig> = {},
  deps: GatewayDeps = {},
  setup: (gateway: Gateway) => void = registerRoomCommands,
): Promise<Gateway> {
  const gateway = await Gateway.create(testConfig(overrides), deps);
  setup(gateway);
  await gateway.listen();
  return gateway;
}

export function wsUrl(gateway: Gateway, path = '/'): string {
  return gateway.url.replace(/^http/, 'ws') + path;
}

function matcher(pred: string | RegExp | ((m: string) => boolean)): (m: string) => boolean {
  if (typeof pred === 'string') return (m) => m === pred;
  if (pred instanceof RegExp) return (m) => pred.test(m);
  return pred;
}

/** How long opening a client's WebSocket may take. */
const OPEN_DEADLINE_MS = 5000;
/** How long a test may wait for a connection to be closed by the server. */
const CLOSED_DEADLINE_MS = 10_000;
/** How long a client waits for the server to answer its close before cutting the socket. */
const CLOSE_DEADLINE_MS = 5000;

/** A WebSocket client that records every text frame and lets a test await the next ones. */
export class TestClient {
  readonly ws: WebSocket;
  readonly received: string[] = [];
  readonly #closed: Promise<{ code: number; reason: string }>;
  #waiters: { pred: (m: string) => boolean; resolve: (m: string) => void }[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    // A failure ends in 'close', which `closed` reports; without a listener it would crash the test process.
    ws.on('error', () => {});
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const text = data.toString('utf8');
      this.received.push(text);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(text)) return true;
        w.resolve(text);
        return false;
      });
    });
    this.#closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** The close code and reason; rejects if the connection is still open 10 s after this was asked for. */
  get closed(): Promise<{ code: number; reason: string }> {
    return within(this.#closed, CLOSED_DEADLINE_MS, 'the WebSocket closing');
  }

  static async open(
    url: string,
    protocols?: string | string[],
    options?: WebSocket.ClientOptions,
  ): Promise<TestClient> {
    const ws = new WebSocket(url, protocols, options);
    const client = new TestClient(ws);
    const opened = new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await within(opened, OPEN_DEADLINE_MS, `the WebSocket to ${url} opening`).catch((err: unknown) => {
      ws.terminate();
      throw err;
    });
    return client;
  }

  /**
   * Resolves with the first frame, received from now on, that matches; rejects after `withinMs` (default 5 s)
   * naming what it waited for and the last frames that did arrive.
   */
  waitFor(
    pred: string | RegExp | ((m: string) => boolean),
    { withinMs = 5000, what }: { withinMs?: number; what?: string } = {},
  ): Promise<string> {
    const test = matcher(pred);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred: test,
        resolve: (m: string) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(
          new Error(`no frame matching ${what ?? String(pred)} within ${withinMs} ms; ${this.#lastFrames()}`),
        );
      }, withinMs);
      this.#waiters.push(waiter);
    });
  }

  /** Resolves once `count` frames received so far (since open) match; rejects after `withinMs`. */
  async waitForCount(
    pred: string | RegExp | ((m: string) => boolean),
    count: number,
    withinMs = 5000,
  ): Promise<void> {
    const test = matcher(pred);
    const until = Date.now() + withinMs;
    for (;;) {
      const seen = this.received.filter(test).length;
      if (seen >= count) return;
      const left = until - Date.now();
      if (left <= 0) {
        throw new Error(
          `${seen} of ${count} frames matching ${String(pred)} within ${withinMs} ms; ${this.#lastFrames()}`,
        );
      }
      // Any next frame re-counts: frames arriving between two checks are counted from `received`.
      await this.waitFor(() => true, {
        withinMs: left,
        what: `${String(pred)} (${seen} of ${count} so far)`,
      });
    }
  }

  #lastFrames(): string {
    const last = this.received.slice(-3).map((m) => (m.length > 80 ? `${m.slice(0, 80)}...` : m));
    return `${this.received.length} received, last: ${JSON.stringify(last)}`;
  }

  /** Sends a frame and resolves with the next frame received. */
  async request(frame: string): Promise<string> {
    const reply = this.waitFor(() => true);
    this.ws.send(frame);
    return reply;
  }

  /** Subscribes to a room and waits for the confirmation. */
  async subscribe(room: string): Promise<void> {
    const reply = await this.request(`subscribe|${room}`);
    if (reply !== `Subscribe roomNum:${room} success!`) throw new Error(`unexpected reply ${reply}`);
  }

  /** Round trip that proves every earlier frame of this client has been handled by the server. */
  async sync(): Promise<void> {
    const reply = await this.request('ping');
    if (reply !== 'pong') throw new Error(`unexpected reply ${reply}`);
  }

  /** Closes the WebSocket; cuts it if the server has not answered the close within 5 s. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await within(this.#closed, CLOSE_DEADLINE_MS, 'the server answering the close').catch(() => {
      this.ws.terminate();
      return this.#closed;
    });
  }
}
