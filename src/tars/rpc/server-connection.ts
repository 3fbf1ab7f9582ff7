/**
 * One accepted TCP connection of a {@link TarsServer}: splits frames, decodes requests, dispatches them
 * concurrently and writes the replies. A frame with a bad length or an undecodable packet stops reading this
 * connection: the requests that came before it are answered, then it closes (with a log line). A connection that
 * sends no complete request for `idleTimeoutMs` while none of its requests is being served (idle, or stuck in the
 * middle of a frame) is closed. Reading pauses while too many requests are being served or while the peer does not
 * read its replies. Other connections are not affected by any of it.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import type { ServantCallContext } from '../contract.js';
import { encodeReply, decodeRequest, FrameSplitter, PacketType, type Request } from './packets.js';
import type { ServantDispatcher } from './servant-dispatcher.js';

/** Settings of one connection, resolved by the TarsServer. */
export interface ServerConnectionOptions {
  readonly maxPacketLength: number;
  /** Requests served at once before reading pauses (resumes at half). */
  readonly maxInFlight: number;
  /** Closes the connection after this long without a complete request while none is being served; 0: never. */
  readonly idleTimeoutMs: number;
  readonly logger: Logger;
}

/** How long a connection closed for a bad frame waits for the replies of its earlier requests when idle closing is off. */
const REJECT_DRAIN_MS = 60_000;

export class ServerConnection {
  readonly #socket: net.Socket;
  readonly #dispatcher: ServantDispatcher;
  readonly #logger: Logger;
  readonly #frames: FrameSplitter;
  readonly #remoteAddress: string;
  readonly #remotePort: number;
  readonly #maxInFlight: number;
  readonly #idleMs: number;
  #inFlight = 0;
  /** Reading is paused because `maxInFlight` requests are being served (back-pressure on a pipelining client). */
  #throttled = false;
  /** Reading is paused because the peer does not read its replies (our write buffer is full). */
  #writeBlocked = false;
  /** Reading has stopped for good: the connection is draining (server close, or a bad frame). */
  #stopped = false;
  /** Told when no request is being served any more (drains waiting for the replies). */
  #idleWaiters: (() => void)[] = [];
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #batch: Uint8Array[] = [];
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;

  constructor(socket: net.Socket, dispatcher: ServantDispatcher, options: ServerConnectionOptions) {
    this.#socket = socket;
    this.#remoteAddress = socket.remoteAddress ?? '';
    this.#remotePort = socket.remotePort ?? 0;
    this.#logger = options.logger.child({ peer: `${this.#remoteAddress}:${this.#remotePort}` });
    // First of all: a peer may reset the connection before it sends anything.
    socket.on('error', (err) => this.#logger.debug({ err: err.message }, 'tars server socket error'));
    this.#dispatcher = dispatcher;
    this.#maxInFlight = options.maxInFlight;
    this.#idleMs = options.idleTimeoutMs;
    this.#frames = new FrameSplitter(options.maxPacketLength);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => {
      this.#closed = true;
      clearTimeout(this.#idleTimer);
      this.#wakeIdleWaiters();
    });
    if (this.#idleMs > 0) {
      this.#idleTimer = setTimeout(this.#onIdle, this.#idleMs);
      this.#idleTimer.unref();
    }
  }

  /**
   * Stops reading new requests, lets the ones being served reply, ends the connection and waits for it to close,
   * all within `limitMs`.
   */
  async drain(limitMs: number): Promise<void> {
    if (this.#closed) return;
    const deadline = performance.now() + limitMs;
    this.#stopped = true;
    this.#socket.pause();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, limitMs);
        this.#idleWaiters.push(done);
      });
    }
    this.#flush(); // replies queued for the next tick go out before the end
    if (!this.#socket.writableEnded) this.#socket.end();
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
    if (this.#stopped) return;
    const bodies: Uint8Array[] = [];
    let bad: unknown;
    try {
      this.#frames.push(chunk, bodies);
    } catch (err) {
      bad = err; // the frames before the bad length are still served
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
    if (bad !== undefined) this.#reject('bad frame', bad);
    else if (bodies.length > 0) this.#idleTimer?.refresh();
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
    const ok = this.#socket.write(batch.length === 1 ? (batch[0] as Uint8Array) : Buffer.concat(batch));
    if (!ok && !this.#writeBlocked) {
      // A peer that sends requests but does not read the replies: stop reading it rather than buffer without end.
      this.#writeBlocked = true;
      this.#socket.pause();
      this.#socket.once('drain', () => {
        this.#writeBlocked = false;
        this.#resumeReading();
      });
    }
  };

  #resumeReading(): void {
    if (!this.#throttled && !this.#writeBlocked && !this.#stopped && !this.#closed) this.#socket.resume();
  }

  #done(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) {
      this.#wakeIdleWaiters();
      // The idle time counts from the last reply: a call served for longer than the timeout is not idleness.
      if (!this.#closed) this.#idleTimer?.refresh();
    }
    // Resume at half the limit, not at limit - 1, so a steady overload does not flip the socket on every reply.
    if (this.#throttled && this.#inFlight <= this.#maxInFlight / 2) {
      this.#throttled = false;
      this.#resumeReading();
    }
  }

  #wakeIdleWaiters(): void {
    for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  readonly #onIdle = (): void => {
    // Requests being served keep the connection; the timer restarts when the last one replies.
    if (this.#inFlight > 0 || this.#closed || this.#stopped) return;
    this.#logger.debug({ idleTimeoutMs: this.#idleMs }, 'tars server: idle connection closed');
    this.#closed = true;
    this.#socket.destroy();
  };

  #reject(what: string, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.#logger.warn({ err: msg }, `tars server: ${what}; closing the connection`);
    // Answer what came before the bad frame, then close; bytes after it are never read.
    void this.drain(this.#idleMs > 0 ? this.#idleMs : REJECT_DRAIN_MS).then(() => this.destroy());
  }
}
