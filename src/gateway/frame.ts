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
  const parts = Sender.frame(Buffer.from(text, 'utf8'), {
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

/** Writes a prepared frame; the caller checked the socket is open. */
export function sendPrepared(ws: WebSocket, frame: PreparedFrame, text: string): void {
  const sender = (ws as unknown as { _sender?: SenderInternals })._sender;
  if (sender && typeof sender.sendFrame === 'function' && ws.extensions === '') {
    single[0] = frame;
    sender.sendFrame(single);
    single[0] = NO_FRAME; // so the last push is not kept alive
  } else {
    ws.send(text);
  }
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
