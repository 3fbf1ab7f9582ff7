/** Test harness: a demo gateway on an ephemeral port, and WebSocket clients whose frames can be awaited. */
import WebSocket from 'ws';
import { createChatApp, type ChatAppOptions } from '../../examples/chat/app.js';
import { loadConfig, type Gateway, type GatewayConfig, type GatewayDeps } from '../../src/index.js';

export async function startChat(
  overrides: Partial<GatewayConfig> = {},
  deps: GatewayDeps = {},
  app: ChatAppOptions = {},
): Promise<Gateway> {
  const config = loadConfig({
    env: {},
    overrides: { port: 0, logLevel: 'silent', heartbeatIntervalMs: 0, shutdownGraceMs: 2000, ...overrides },
  });
  const gateway = await createChatApp(config, deps, app);
  await gateway.listen();
  return gateway;
}

export function wsUrl(gateway: Gateway, path = '/'): string {
  return gateway.url.replace(/^http/, 'ws') + path;
}

/** A WebSocket client that records every text frame and lets a test await the next ones. */
export class TestClient {
  readonly ws: WebSocket;
  readonly received: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: { pred: (m: string) => boolean; resolve: (m: string) => void; from: number }[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
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
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async open(
    url: string,
    protocols?: string | string[],
    options?: WebSocket.ClientOptions,
  ): Promise<TestClient> {
    const ws = new WebSocket(url, protocols, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Resolves with the first frame, received from now on, that matches. */
  waitFor(pred: string | ((m: string) => boolean)): Promise<string> {
    const test = typeof pred === 'string' ? (m: string) => m === pred : pred;
    return new Promise((resolve) => this.#waiters.push({ pred: test, resolve, from: this.received.length }));
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

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}
