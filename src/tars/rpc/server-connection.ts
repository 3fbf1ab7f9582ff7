/**
 * One accepted TCP connection of a {@link TarsServer}: splits frames, decodes requests, dispatches them
 * concurrently and writes the replies. A frame with a bad length or an undecodable packet closes this connection
 * (with a log line); other connections are not affected.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import type { ServantCallContext } from '../contract.js';
import { encodeReply, decodeRequest, FrameSplitter, PacketType, type Request } from './packets.js';
import type { ServantDispatcher } from './servant-dispatcher.js';

export class ServerConnection {
  readonly #socket: net.Socket;
  readonly #dispatcher: ServantDispatcher;
  readonly #logger: Logger;
  readonly #frames: FrameSplitter;
  readonly #remoteAddress: string;
  readonly #remotePort: number;
  #inFlight = 0;
  readonly #maxInFlight: number;
  /** Reading is paused because `maxInFlight` requests are being served (back-pressure on a pipelining client). */
  #throttled = false;
  #draining: (() => void) | undefined;
  #closed = false;
  #batch: Uint8Array[] = [];
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;

  constructor(
    socket: net.Socket,
    dispatcher: ServantDispatcher,
    maxPacketLength: number,
    logger: Logger,
    maxInFlight = 1000,
  ) {
    this.#socket = socket;
    this.#maxInFlight = maxInFlight;
    this.#dispatcher = dispatcher;
    this.#frames = new FrameSplitter(maxPacketLength);
    this.#remoteAddress = socket.remoteAddress ?? '';
    this.#remotePort = socket.remotePort ?? 0;
    this.#logger = logger.child({ peer: `${this.#remoteAddress}:${this.#remotePort}` });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#logger.debug({ err: err.message }, 'tars server socket error'));
    socket.on('close', () => {
      this.#closed = true;
      this.#draining?.();
    });
  }

  /**
   * Stops reading new requests, lets the ones being served reply, ends the connection and waits for it to close,
   * all within `limitMs`.
   */
  async drain(limitMs: number): Promise<void> {
    if (this.#closed) return;
    const deadline = performance.now() + limitMs;
    this.#socket.pause();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, limitMs);
        this.#draining = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#flush(); // replies queued for the next tick go out before the end
    this.#socket.end();
    // A large reply may still be in our buffers: a destroy now would cut it. The peer closes once it has read our end.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
      void this.closed.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Closes at once. */
  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let bodies: Uint8Array[];
    try {
      bodies = this.#frames.push(chunk);
    } catch (err) {
      this.#reject('bad frame', err);
      return;
    }
    for (const body of bodies) {
      let req: Request;
      try {
        req = decodeRequest(body);
      } catch (err) {
        this.#reject('undecodable request', err);
        return;
      }
      this.#serve(req);
    }
  }

  #serve(req: Request): void {
    const ctx: ServantCallContext = {
      servantName: req.servantName,
      funcName: req.funcName,
      requestId: req.requestId,
      context: req.context,
      remoteAddress: this.#remoteAddress,
      remotePort: this.#remotePort,
    };
    if (++this.#inFlight >= this.#maxInFlight && !this.#throttled) {
      this.#throttled = true;
      this.#socket.pause();
    }
    this.#dispatcher.dispatch(req, ctx).then(
      (out) => {
        try {
          if (req.packetType === PacketType.Oneway || this.#closed) return;
          if (out.ret !== 0) {
            this.#logger.debug(
              { servant: req.servantName, func: req.funcName, ret: out.ret, desc: out.desc },
              'tars call failed',
            );
          }
          this.#write(encodeReply(req, out.ret, out.desc, out.buffer));
        } catch (err) {
          this.#logger.error({ err, func: req.funcName }, 'tars reply could not be encoded');
        } finally {
          this.#done(); // after queueing the reply, so a draining close sends it
        }
      },
      (err: unknown) => {
        // dispatch() turns every failure into an outcome; reaching here is a bug, never a reason to crash.
        this.#done();
        this.#logger.error({ err }, 'tars dispatch failed unexpectedly');
      },
    );
  }

  #write(bytes: Uint8Array): void {
    // Replies finished in the same tick leave in one write.
    if (this.#batch.push(bytes) === 1) process.nextTick(this.#flush);
  }

  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = [];
    if (this.#socket.destroyed || batch.length === 0) return;
    this.#socket.write(batch.length === 1 ? (batch[0] as Uint8Array) : Buffer.concat(batch));
  };

  #done(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) this.#draining?.();
    // Resume at half the limit, not at limit - 1, so a steady overload does not flip the socket on every reply.
    if (this.#throttled && this.#inFlight <= this.#maxInFlight / 2) {
      this.#throttled = false;
      if (!this.#draining && !this.#closed) this.#socket.resume();
    }
  }

  #reject(what: string, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.#logger.warn({ err: msg }, `tars server: ${what}; closing the connection`);
    this.#closed = true;
    this.#socket.destroy();
  }
}
