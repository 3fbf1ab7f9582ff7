/**
 * One WebSocket client as the gateway sees it: a stable id, its protocol, the rooms it joined, and a bounded
 * outgoing buffer. Sends never queue without limit: past `maxBufferedBytes` the connection is closed with 4008.
 * A protocol whose frames carry several newline-separated messages (Centrifugo's JSON) gets the messages of a burst
 * joined into frames of at most `maxMessagesInFrame`, as Centrifugo's writer does.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { CloseCode } from '../errors.js';
import type { StreamPosition } from '../history/history-store.js';
import type { Protocol, Session } from '../protocol/protocol.js';
import type { ConnId, RoomId } from '../types.js';
import {
  prepareTextFrame,
  rawSocket,
  sendJoined,
  sendPrepared,
  uncorkAtEndOfTurn,
  type PreparedFrame,
  type TurnCorked,
} from './frame.js';

/** How much a connection may have unsent, and how its bursts are framed. */
export interface SendLimits {
  /** Unsent bytes past which the connection is closed with 4008. */
  readonly maxBufferedBytes: number;
  /**
   * Messages one frame may carry when the protocol allows several (see {@link Protocol.joinsFrames}); 1 = one
   * message per frame. Other protocols always get one per frame.
   */
  readonly maxMessagesInFrame: number;
}

/** A joined frame is written once its frames reach this many bytes, whatever `maxMessagesInFrame` allows. */
const MAX_JOINED_BYTES = 64 * 1024;

/**
 * Where a connection is in a room's stream. `gapClose`: for a positioned subscription, the close code to use when a
 * publication of the same epoch skips an offset (the client's state would be incomplete).
 */
export interface Position extends StreamPosition {
  gapClose?: number;
}

/** A push held for a connection during a subscribe: its frame and its history position, if the room keeps history. */
export interface HeldFrame {
  readonly offset: number | undefined;
  readonly epoch: string | undefined;
  readonly frame: PreparedFrame;
}

export class Connection implements TurnCorked {
  readonly id: ConnId;
  readonly protocol: Protocol;
  readonly remoteAddress: string;
  readonly openedAt = Date.now();
  /** The request that opened the connection (headers, URL, cookies). */
  readonly request: IncomingMessage;
  /** Rooms joined through this process, kept in step with the room store. */
  readonly rooms = new Set<RoomId>();
  /** Free-form state for the application (user id, auth claims, ...). */
  readonly data = new Map<string, unknown>();
  /** The protocol's own state machine, when its protocol has one (Centrifugo): it gets the frames. */
  session: Session | undefined;
  /** Who the protocol authenticated (a Centrifugo token's `sub`); '' when anonymous or not told. */
  user = '';
  /** What the protocol knows about the connection (a Centrifugo token's `info`): presence and publications show it. */
  connInfo: unknown;
  /** Whether broadcasts reach it: false until a session's connect succeeded. */
  receivesBroadcasts = true;
  /**
   * Room pushes held back per room while a subscribe reads the room's history position (see {@link Hub.hold}):
   * undefined for nearly every connection, so delivery pays one property check.
   */
  held: Map<RoomId, HeldFrame[]> | undefined;
  /**
   * Per room with history, the position of the last publication this connection got (history or live): a
   * publication of the same epoch at or below it is a duplicate (it raced a recovery) and is not sent again; one
   * of another epoch (the stream was lost and started again) moves the position there. Undefined for connections
   * that never subscribed with a position (text clients).
   */
  positions: Map<RoomId, Position> | undefined;
  /** Set by the heartbeat when a ping is sent, cleared by the pong. */
  awaitingPong = false;
  /** Whether it ever joined a room: only then can the room store hold anything of it when it closes. */
  everJoined = false;
  /** Messages received but not yet handled (handlers run one at a time per connection). */
  pending = 0;
  /** Tail of this connection's handler chain, so messages are handled in the order they arrived. */
  chain: Promise<void> = Promise.resolve();
  /** Settles once every handler started so far has sent its reply: replies keep the frames' order. */
  replied: Promise<void> = Promise.resolve();

  readonly #ws: WebSocket;
  /**
   * Writes in this event-loop turn: 0 none, 1 one (it went out at once), 2 more (held by cork until the turn ends,
   * see uncorkAtEndOfTurn). A lone push is written immediately; only a burst is coalesced.
   */
  #turnWrites: 0 | 1 | 2 = 0;
  readonly #maxBufferedBytes: number;
  /** 1 when frames are never joined; else the most messages of a burst joined into one frame. */
  readonly #joinLimit: number;
  /** Frames of this turn waiting to be joined (after the turn's first write), and their bytes. */
  #joining: PreparedFrame[] = [];
  #joiningBytes = 0;
  readonly #onSlow: (conn: Connection) => void;

  constructor(
    id: ConnId,
    ws: WebSocket,
    request: IncomingMessage,
    protocol: Protocol,
    limits: SendLimits,
    onSlow: (conn: Connection) => void,
  ) {
    this.id = id;
    this.#onSlow = onSlow;
    this.#ws = ws;
    this.request = request;
    this.protocol = protocol;
    this.remoteAddress = request.socket.remoteAddress ?? '';
    this.#maxBufferedBytes = limits.maxBufferedBytes;
    this.#joinLimit = protocol.joinsFrames === true ? Math.max(1, limits.maxMessagesInFrame) : 1;
  }

  /** Whether the gateway stopped reading this socket because too many of its messages await handling. */
  get readingPaused(): boolean {
    return this.#ws.isPaused;
  }

  /** Stops reading from the socket: the peer's TCP window fills and its sends slow down. */
  pauseReading(): void {
    if (!this.#ws.isPaused) this.#ws.pause();
  }

  resumeReading(): void {
    if (this.#ws.isPaused) this.#ws.resume();
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Bytes accepted for sending but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount + this.#joiningBytes;
  }

  /** Sends one text frame. Returns false if the connection is not open or was just closed as a slow consumer. */
  send(text: string): boolean {
    return this.sendFrame(prepareTextFrame(text));
  }

  /** Sends a frame prepared once for many receivers (see {@link prepareTextFrame}). */
  sendFrame(frame: PreparedFrame): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    if (this.bufferedAmount + frame.length > this.#maxBufferedBytes) {
      // The close frame queues behind the unsent data: a client that resumes reading learns why it was dropped,
      // and one that never does is cut by ws's close timeout. Either way nothing more is buffered for it.
      this.close(CloseCode.SlowConsumer, 'slow consumer: send buffer full');
      this.#onSlow(this);
      return false;
    }
    if (this.#turnWrites === 0) {
      this.#turnWrites = 1;
      uncorkAtEndOfTurn(this);
    } else if (this.#turnWrites === 1) {
      rawSocket(this.#ws)?.cork();
      this.#turnWrites = 2;
    }
    if (this.#turnWrites === 2 && this.#joinLimit > 1) {
      this.#joining.push(frame);
      this.#joiningBytes += frame.length;
      if (this.#joining.length >= this.#joinLimit || this.#joiningBytes >= MAX_JOINED_BYTES)
        this.#writeJoined();
      return true;
    }
    sendPrepared(this.#ws, frame);
    return true;
  }

  /** Flushes the writes held during this event-loop turn. Called by the fan-out scheduler only. */
  releaseTurn(): void {
    if (this.#joining.length > 0) this.#writeJoined();
    if (this.#turnWrites === 2) rawSocket(this.#ws)?.uncork();
    this.#turnWrites = 0;
  }

  /** Writes the frames waiting to be joined, as one frame (or as is when there is one). */
  #writeJoined(): void {
    const frames = this.#joining;
    this.#joining = [];
    this.#joiningBytes = 0;
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (frames.length === 1) sendPrepared(this.#ws, frames[0] as PreparedFrame);
    else sendJoined(this.#ws, frames);
  }

  close(code: number = CloseCode.GoingAway, reason = ''): void {
    // What this turn sent before the close leaves before the close frame.
    if (this.#joining.length > 0) this.#writeJoined();
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
      this.#ws.close(code, reason);
    }
    // The peer's close frame can only be read from a socket that is read: a paused one would wait for ws's close
    // timeout (30 s). Frames after ours are ignored (the gateway handles frames of open connections only).
    this.resumeReading();
  }

  /** Cuts the TCP connection without a closing handshake. */
  terminate(): void {
    this.#joining = [];
    this.#joiningBytes = 0;
    this.#ws.terminate();
  }

  ping(): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.ping();
  }
}
