/**
 * The wire form of a broker message between processes: one compact line, no JSON escaping of the (often large)
 * message text. `r<pub>,<roomLength>,<room><message>`, `a<pub>,<message>`, `c<pub>,<conn>,<message>`, where
 * `<pub>` is the publishing process's index (so it can skip its own echo) and lengths count UTF-16 units. A room
 * message with publication meta is `p<pub>,<roomLength>,<room><metaLength>,<meta JSON><message>`: plain pushes keep
 * the short form, and the meta (small) is the only part that is JSON-escaped. A join/leave is
 * `j<pub>,<JSON of room, event, info>`; a control message (rare, small) is `k<pub>,<JSON of the message>`.
 */
import type { ProcessIndex } from '../types.js';
import type { BrokerMessage, ControlMessage, ControlOp, PublicationMeta, PublisherInfo } from './broker.js';

/** A message as it travels: what was published, and by which process. */
export interface BrokerEnvelope {
  publisher: ProcessIndex;
  msg: BrokerMessage;
}

export function encodeBrokerMessage(publisher: ProcessIndex, msg: BrokerMessage): string {
  switch (msg.kind) {
    case 'room': {
      if (msg.pub === undefined) return `r${publisher},${msg.room.length},${msg.room}${msg.message}`;
      const meta = JSON.stringify(msg.pub);
      return `p${publisher},${msg.room.length},${msg.room}${meta.length},${meta}${msg.message}`;
    }
    case 'all':
      return `a${publisher},${msg.message}`;
    case 'conn':
      return `c${publisher},${msg.conn},${msg.message}`;
    case 'presence':
      return `j${publisher},${JSON.stringify({ room: msg.room, event: msg.event, info: msg.info })}`;
    case 'control':
      return `k${publisher},${JSON.stringify(msg)}`;
  }
}

/** Parses {@link encodeBrokerMessage}'s output; undefined for anything else (foreign publishers on the channel). */
export function decodeBrokerMessage(text: string): BrokerEnvelope | undefined {
  const kind = text[0];
  let pos = 1;
  const int = (): number | undefined => {
    const comma = text.indexOf(',', pos);
    if (comma < 0) return undefined;
    const digits = text.slice(pos, comma);
    pos = comma + 1;
    return /^\d{1,16}$/.test(digits) ? Number(digits) : undefined;
  };
  const publisher = int();
  if (publisher === undefined) return undefined;
  if (kind === 'a') return { publisher, msg: { kind: 'all', message: text.slice(pos) } };
  if (kind === 'j') return decodePresence(publisher, text.slice(pos));
  if (kind === 'k') {
    const msg = decodeControl(text.slice(pos));
    return msg === undefined ? undefined : { publisher, msg };
  }
  const n = int();
  if (n === undefined) return undefined;
  if (kind === 'c') return { publisher, msg: { kind: 'conn', conn: n, message: text.slice(pos) } };
  if (kind === 'r' && pos + n <= text.length) {
    return {
      publisher,
      msg: { kind: 'room', room: text.slice(pos, pos + n), message: text.slice(pos + n) },
    };
  }
  if (kind === 'p' && pos + n <= text.length) {
    const room = text.slice(pos, pos + n);
    pos += n;
    const m = int();
    if (m === undefined || pos + m > text.length) return undefined;
    const pub = decodeMeta(text.slice(pos, pos + m));
    if (pub === undefined) return undefined;
    return { publisher, msg: { kind: 'room', room, message: text.slice(pos + m), pub } };
  }
  return undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
    ? (raw as Record<string, unknown>)
    : undefined;
}

function decodeInfo(info: unknown): PublisherInfo | undefined {
  if (typeof info !== 'object' || info === null) return undefined;
  const i = info as Record<string, unknown>;
  if (typeof i['user'] !== 'string' || typeof i['client'] !== 'string') return undefined;
  const out: PublisherInfo = { user: i['user'], client: i['client'] };
  if (i['conn_info'] !== undefined) out.conn_info = i['conn_info'];
  if (i['chan_info'] !== undefined) out.chan_info = i['chan_info'];
  return out;
}

function decodePresence(publisher: ProcessIndex, text: string): BrokerEnvelope | undefined {
  const o = parseObject(text);
  const info = decodeInfo(o?.['info']);
  const room = o?.['room'];
  const event = o?.['event'];
  if (info === undefined || typeof room !== 'string' || (event !== 'join' && event !== 'leave'))
    return undefined;
  return { publisher, msg: { kind: 'presence', room, event, info } };
}

/** Reads the meta object, keeping only fields of the expected types (a foreign publisher cannot inject others). */
function decodeMeta(text: string): PublicationMeta | undefined {
  const o = parseObject(text);
  if (o === undefined) return undefined;
  const pub: PublicationMeta = {};
  if (o['json'] === true) pub.json = true;
  if (typeof o['offset'] === 'number' && Number.isSafeInteger(o['offset'])) pub.offset = o['offset'];
  if (typeof o['epoch'] === 'string') pub.epoch = o['epoch'];
  const info = decodeInfo(o['info']);
  if (info !== undefined) pub.info = info;
  const tags = o['tags'];
  if (typeof tags === 'object' && tags !== null && !Array.isArray(tags)) {
    const t = Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === 'string');
    if (t.length > 0) pub.tags = Object.fromEntries(t);
  }
  return pub;
}

/** Reads a control message, rebuilt from fields of the expected types only; undefined when one is missing. */
function decodeControl(text: string): ControlMessage | undefined {
  const o = parseObject(text);
  if (o === undefined || typeof o['user'] !== 'string') return undefined;
  const op = decodeControlOp(o['op']);
  if (op === undefined) return undefined;
  const msg: ControlMessage = { kind: 'control', user: o['user'], op };
  if (typeof o['client'] === 'string') msg.client = o['client'];
  const whitelist = o['whitelist'];
  if (Array.isArray(whitelist)) msg.whitelist = whitelist.filter((c): c is string => typeof c === 'string');
  return msg;
}

function decodeControlOp(raw: unknown): ControlOp | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const channel = o['channel'];
  switch (o['op']) {
    case 'subscribe':
      if (typeof channel !== 'string') return undefined;
      return o['data'] === undefined
        ? { op: 'subscribe', channel }
        : { op: 'subscribe', channel, data: o['data'] };
    case 'unsubscribe':
      return typeof channel === 'string' ? { op: 'unsubscribe', channel } : undefined;
    case 'disconnect':
      if (typeof o['code'] !== 'number' || typeof o['reason'] !== 'string') return undefined;
      return { op: 'disconnect', code: o['code'], reason: o['reason'] };
    case 'refresh':
      if (typeof o['expired'] !== 'boolean' || typeof o['expireAt'] !== 'number') return undefined;
      return { op: 'refresh', expired: o['expired'], expireAt: o['expireAt'] };
    default:
      return undefined;
  }
}
