/**
 * One Centrifugo wire client of the recovery benchmark (raw `ws`, JSON protocol): connects anonymously and
 * subscribes in one frame, as the SDK does after a reconnect, and hands back the subscribe reply as sent.
 */
import type WebSocket from 'ws';
import { CENTRIFUGE_PATH } from '../fanout/clients/centrifuge-client.js';
import { openWebSocket } from '../fanout/clients/ws-open.js';

/** A client's place in a channel's stream, from a subscribe reply. */
export interface Position {
  offset: number;
  epoch: string;
}

/** The subscribe reply fields the benchmark reads (Centrifugo's `SubscribeResult`). */
export interface SubscribeResult {
  recoverable?: boolean;
  epoch?: string;
  offset?: number;
  recovered?: boolean;
  was_recovering?: boolean;
  publications?: { offset?: number }[];
}

interface ReplyLine {
  id?: number;
  error?: { code?: number; message?: string };
  subscribe?: SubscribeResult;
}

export interface Subscribed {
  ws: WebSocket;
  result: SubscribeResult;
  /** From the call to the subscribe reply, ms. */
  ms: number;
}

/**
 * Opens a connection to `httpUrl`'s Centrifugo endpoint, sends `connect` and `subscribe` to `channel` (with
 * `recover` and the position when `since` is given), and resolves with the subscribe reply; rejects on a refused
 * command, a close before the reply, or after `timeoutMs`.
 */
export async function subscribe(
  httpUrl: string,
  channel: string,
  since: Position | undefined,
  timeoutMs: number,
): Promise<Subscribed> {
  const started = performance.now();
  const ws = await openWebSocket(httpUrl + CENTRIFUGE_PATH);
  const sub = since === undefined ? { channel } : { channel, recover: true, ...since };
  const result = await new Promise<SubscribeResult>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`no subscribe reply within ${timeoutMs} ms`), timeoutMs);
    const onClose = (code: number, reason: Buffer): void =>
      fail(`closed with ${code} ${String(reason)} before the subscribe reply`);
    ws.on('message', (data) => {
      for (const line of String(data).split('\n')) {
        if (line === '' || line === '{}') continue;
        const reply = JSON.parse(line) as ReplyLine;
        if (reply.error !== undefined) {
          return fail(`command ${reply.id} refused: ${reply.error.code} ${reply.error.message}`);
        }
        if (reply.id === 2 && reply.subscribe !== undefined) {
          clearTimeout(timer);
          ws.off('close', onClose);
          return resolve(reply.subscribe);
        }
      }
    });
    ws.once('close', onClose);
    ws.send(`${JSON.stringify({ id: 1, connect: {} })}\n${JSON.stringify({ id: 2, subscribe: sub })}`);
  });
  return { ws, result, ms: performance.now() - started };
}

/** Closes `ws` with a close handshake and resolves once the server answered it (or the socket is gone). */
export function closeAndWait(ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, 5000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000);
  });
}

/**
 * Why `result` is not a full recovery of the `missed` publications after `since` (recovered, in order from the
 * next offset), or undefined when it is.
 */
export function recoveryProblem(
  result: SubscribeResult,
  since: Position,
  missed: number,
): string | undefined {
  if (result.recovered !== true) return 'recovered is not true';
  const pubs = result.publications ?? [];
  if (pubs.length !== missed) return `${pubs.length} publications instead of ${missed}`;
  for (let i = 0; i < pubs.length; i++) {
    if (pubs[i]?.offset !== since.offset + i + 1) return `publication ${i} has offset ${pubs[i]?.offset}`;
  }
  return undefined;
}
