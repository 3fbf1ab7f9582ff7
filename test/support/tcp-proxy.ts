/**
 * A switchable TCP proxy for tests, standing in for a load balancer in front of gateway nodes: a client keeps one
 * address while the proxy sends its next connection to another node, or to none (a network outage).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #open = new Set<Socket>();
  #target: number | undefined;

  private constructor(server: Server, port: number, target: number | undefined) {
    this.#server = server;
    this.port = port;
    this.#target = target;
  }

  /** Listens on an ephemeral loopback port and forwards new connections to `target` (a port on 127.0.0.1). */
  static async start(target?: number): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    const proxy = new TcpProxy(server, address.port, target);
    server.on('connection', (s) => proxy.#forward(s));
    return proxy;
  }

  /** `ws://127.0.0.1:<port><path>` through the proxy. */
  wsUrl(path = '/connection/websocket'): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** Where new connections go from now on; undefined refuses them (closed at once). Open ones stay. */
  route(target: number | undefined): void {
    this.#target = target;
  }

  /** Drops every open connection (both sides), as a network change does. */
  cut(): void {
    for (const s of this.#open) s.destroy();
    this.#open.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(client: Socket): void {
    client.on('error', () => undefined);
    const target = this.#target;
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect({ port: target, host: '127.0.0.1' });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    this.#open.add(client).add(upstream);
    client.once('close', () => this.#open.delete(client));
    upstream.once('close', () => this.#open.delete(upstream));
    client.pipe(upstream).pipe(client);
  }
}
