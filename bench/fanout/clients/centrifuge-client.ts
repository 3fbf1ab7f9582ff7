/**
 * A Centrifugo client protocol v2 (JSON) client written against the wire, not the `centrifuge` SDK, so the load
 * generator stays as cheap per delivery as the other adapters: a frame is newline-separated JSON, `{}` is the
 * server's ping (answered with `{}`), a publication's `data` is read without parsing the whole push.
 */
import type WebSocket from 'ws';
import type { TargetClient } from './client.js';
import { tarsWsClient } from './tars-ws-client.js';
import { openWebSocket } from './ws-open.js';

/** The endpoint of the Centrifugo protocol on a tars-ws server. */
export const CENTRIFUGE_PATH = '/connection/websocket';

/** What {@link readFrame} found in a frame, line by line. */
export interface FrameHandler {
  /** A publication; `data` is the publication's data: the string itself, or the JSON text of any other value. */
  push(data: string): void;
  /** The server's ping (`{}`); the client must answer `{}` before the next one. */
  ping(): void;
  /** The reply to command `id`; `error` is set when the server refused it. */
  reply(id: number, error: string | undefined): void;
}

const PUSH_PREFIX = '{"push":';
const DATA_KEY = '"data":"';

/**
 * Reads one frame from the server. The fast path takes a string `data` whose text has no escapes (the
 * benchmark's messages: digits, spaces, padding) by slicing it out; anything else goes through JSON.parse.
 */
export function readFrame(frame: string, on: FrameHandler): void {
  let start = 0;
  while (start < frame.length) {
    let end = frame.indexOf('\n', start);
    if (end < 0) end = frame.length;
    if (end > start) readLine(frame, start, end, on);
    start = end + 1;
  }
}

function readLine(frame: string, start: number, end: number, on: FrameHandler): void {
  if (end - start === 2 && frame.startsWith('{}', start)) return on.ping();
  if (frame.startsWith(PUSH_PREFIX, start)) {
    const at = frame.indexOf(DATA_KEY, start);
    if (at >= 0 && at < end) {
      const from = at + DATA_KEY.length;
      const to = frame.indexOf('"', from);
      if (to >= 0 && to < end && frame.lastIndexOf('\\', to) < from) return on.push(frame.slice(from, to));
    }
  }
  readSlowly(frame.slice(start, end), on);
}

interface Reply {
  id?: unknown;
  error?: { code?: unknown; message?: unknown };
  push?: { pub?: { data?: unknown } };
}

function readSlowly(line: string, on: FrameHandler): void {
  let parsed: Reply;
  try {
    parsed = JSON.parse(line) as Reply;
  } catch {
    return;
  }
  if (typeof parsed.id === 'number') {
    const e = parsed.error;
    on.reply(parsed.id, e === undefined ? undefined : `${String(e.code)} ${String(e.message)}`);
    return;
  }
  const data = parsed.push?.pub?.data;
  if (data !== undefined) on.push(typeof data === 'string' ? data : JSON.stringify(data));
}

/**
 * Opens a Centrifugo connection and sends `commands` as one batch, numbered from 1 (e.g. `{connect: {}}` then
 * `{subscribe: {channel}}`); resolves once every one was answered without error. Pings are answered and
 * publications handed to `onPush` for the life of the connection.
 */
export async function openCentrifuge(
  httpUrl: string,
  commands: readonly Record<string, unknown>[],
  onPush: (data: string) => void = () => undefined,
): Promise<WebSocket> {
  const ws = await openWebSocket(httpUrl + CENTRIFUGE_PATH);
  await new Promise<void>((resolve, reject) => {
    let unanswered = commands.length;
    const fail = (why: string): void => {
      unanswered = -1;
      ws.terminate();
      reject(new Error(why));
    };
    const handler: FrameHandler = {
      push: onPush,
      ping: () => ws.send('{}'),
      reply(id, error) {
        if (unanswered <= 0) return;
        if (error !== undefined) return fail(`command ${id} refused: ${error}`);
        if (--unanswered === 0) {
          ws.off('close', onClose);
          resolve();
        }
      },
    };
    const onClose = (code: number, reason: Buffer): void =>
      fail(`closed with ${code} ${String(reason)} before the replies`);
    ws.on('message', (data) => readFrame(String(data), handler));
    ws.once('close', onClose);
    ws.send(commands.map((c, i) => JSON.stringify({ id: i + 1, ...c })).join('\n'));
  });
  return ws;
}

/** Subscribers on the Centrifugo protocol (anonymous connect, then subscribe); the publisher as for tars-ws. */
export const centrifugeClient: TargetClient = {
  async subscribe(url, room, onPush) {
    const ws = await openCentrifuge(url, [{ connect: {} }, { subscribe: { channel: room } }], onPush);
    return { close: () => ws.terminate() };
  },
  publisher: (url) => tarsWsClient.publisher(url),
};
