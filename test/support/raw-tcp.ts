/**
 * Raw TCP clients for tests of the HTTP edge: what a hostile or broken client does (half a request, a reset right
 * after sending, idle sockets). Every wait has a deadline and says what it waited for.
 */
import { connect, type Socket } from 'node:net';

/** Opens a TCP connection (optionally from another loopback address) and resolves once connected. */
export function openSocket(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
}

/**
 * Sends `data` and resets the connection (TCP RST) as soon as the kernel has taken it, so the server reads the
 * request and then finds the peer gone when it answers.
 */
export async function sendAndReset(port: number, data: string | Buffer): Promise<void> {
  const s = await openSocket(port);
  s.on('error', () => {});
  await new Promise<void>((resolve) => s.write(data, () => resolve()));
  s.resetAndDestroy();
}

/** What a server sent on a socket until it closed it, or what arrived before the deadline (then `closed` false). */
export function readUntilClosed(
  s: Socket,
  withinMs = 5000,
): Promise<{ data: string; closed: boolean; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let data = '';
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      resolve({ data, closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => done(false), withinMs);
    s.on('data', (d: Buffer) => (data += d.toString('latin1')));
    s.on('error', () => {});
    s.once('close', () => done(true));
  });
}

/** Sends raw bytes on a new connection and returns what came back until the server closed it. */
export async function rawRequest(
  port: number,
  data: string | Buffer,
  withinMs = 5000,
): Promise<{ data: string; closed: boolean; elapsedMs: number }> {
  const s = await openSocket(port);
  const reply = readUntilClosed(s, withinMs);
  s.write(data);
  const out = await reply;
  s.destroy();
  return out;
}

/** The status code of a raw HTTP response (0 when there is none). */
export function statusOf(response: string): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
  return m ? Number(m[1]) : 0;
}
