/**
 * Encode once, send many: a push is framed into one WebSocket frame Buffer, then written to every receiver's socket
 * as is (what engine.io does for Socket.IO broadcasts, `wsPreEncodedFrame`), and a receiver's writes after its first
 * one in an event-loop turn are batched (cork/uncork). Writing relies on ws's internal `Sender#sendFrame`, so it is
 * used only when the connection has no permessage-deflate (we never negotiate it), with `ws.send` as the fallback.
 */
import * as wsModule from 'ws';
import type WebSocket from 'ws';

/** A complete, unmasked, final text frame (header + payload). */
export type PreparedFrame = Buffer & { readonly __brand?: 'PreparedFrame' };

interface SenderInternals {
  sendFrame(list: Buffer[], cb?: (err?: Error) => void): void;
}
interface SenderStatic {
  frame(
    data: Buffer,
    options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean },
  ): Buffer[];
}
// ws exports Sender at run time, but @types/ws does not declare it.
const Sender = (wsModule as unknown as { Sender: SenderStatic }).Sender;

export function prepareTextFrame(text: string): PreparedFrame {
  return textFrameOf(Buffer.from(text, 'utf8'));
}

/** A text frame around `payload` (UTF-8), framed by ws. */
function textFrameOf(payload: Buffer): PreparedFrame {
  const parts = Sender.frame(payload, {
    fin: true,
    rsv1: false,
    opcode: 0x01,
    mask: false,
    readOnly: false,
  });
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/**
 * The one-element list handed to `Sender#sendFrame`, reused so a broadcast allocates nothing per receiver: ws writes
 * `list[0]` to the socket at once and keeps the Buffer, never the list.
 */
const NO_FRAME = Buffer.alloc(0);
const single: Buffer[] = [NO_FRAME];

/**
 * Writes a prepared frame (`header`: its header's length); the caller checked the socket is open. Without ws's
 * internals or with an extension negotiated, the payload goes through `ws.send` as a text message.
 */
function write(ws: WebSocket, frame: Buffer, header: number): void {
  const sender = (ws as unknown as { _sender?: SenderInternals })._sender;
  if (sender && typeof sender.sendFrame === 'function' && ws.extensions === '') {
    single[0] = frame;
    sender.sendFrame(single);
    single[0] = NO_FRAME; // so the last push is not kept alive
  } else {
    ws.send(frame.subarray(header), { binary: false });
  }
}

/** Writes a prepared frame; the caller checked the socket is open. */
export function sendPrepared(ws: WebSocket, frame: PreparedFrame): void {
  write(ws, frame, headerLength(frame));
}

/** Bytes of a prepared frame's header: 2, 4 or 10 (server frames are never masked). */
function headerLength(frame: PreparedFrame): number {
  const len = (frame[1] ?? 0) & 0x7f;
  return len < 126 ? 2 : len === 126 ? 4 : 10;
}

/** The text a prepared frame carries. */
export function payloadText(frame: PreparedFrame): string {
  return frame.toString('utf8', headerLength(frame));
}

/**
 * The last join: receivers of one room get the same pushes in the same turn, so nearly every receiver after the
 * first asks for the frame just built (the frames compared by identity). Emptied at the end of each turn.
 */
let lastFrames: readonly PreparedFrame[] = [];
let lastJoined: Buffer = NO_FRAME;

function sameFrames(a: readonly PreparedFrame[], b: readonly PreparedFrame[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Writes several prepared frames as one text frame whose payload is theirs joined by `\n`, for protocols whose frames carry newline-separated messages (Centrifugo's JSON): a receiver
 * gets one frame and its socket one chunk instead of one per message, and the joined frame is built once for all
 * receivers given the same frames in a row. `frames` must not change afterwards. The caller checked the socket is
 * open.
 */
export function sendJoined(ws: WebSocket, frames: readonly PreparedFrame[]): void {
  if (!sameFrames(frames, lastFrames)) {
    lastJoined = joinFrames(frames);
    lastFrames = frames;
  }
  write(ws, lastJoined, headerLength(lastJoined));
}

function joinFrames(frames: readonly PreparedFrame[]): PreparedFrame {
  let size = frames.length - 1;
  for (const f of frames) size += f.length - headerLength(f);
  const payload = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as PreparedFrame;
    if (i > 0) payload[at++] = 0x0a;
    at += f.copy(payload, at, headerLength(f));
  }
  return textFrameOf(payload);
}

/** Something holding corked writes until {@link uncorkAtEndOfTurn} releases them. */
export interface TurnCorked {
  releaseTurn(): void;
}

const corked: TurnCorked[] = [];
let flushScheduled = false;

function releaseAll(): void {
  flushScheduled = false;
  for (const c of corked) c.releaseTurn();
  corked.length = 0;
  lastFrames = [];
  lastJoined = NO_FRAME;
}

/**
 * Ends a connection's write turn once the event loop has finished the current phase: the writes it held since its
 * second push of the turn leave as one, so a burst reaches each receiver in one syscall instead of one per message
 * (the kernel cost dominates fan-out otherwise). The first push of a turn is written at once, so a lone message
 * waits for nothing.
 */
export function uncorkAtEndOfTurn(c: TurnCorked): void {
  corked.push(c);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(releaseAll);
  }
}

/** The raw TCP socket under a ws connection (internal to ws, like `_sender`). */
export function rawSocket(ws: WebSocket): { cork(): void; uncork(): void } | undefined {
  return (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
}
