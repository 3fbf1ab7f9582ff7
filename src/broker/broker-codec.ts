/**
 * The wire form of a broker message between processes: one compact line, no JSON escaping of the (often large)
 * message text. `r<pub>,<roomLength>,<room><message>`, `a<pub>,<message>`, `c<pub>,<conn>,<message>`, where
 * `<pub>` is the publishing process's index (so it can skip its own echo) and lengths count UTF-16 units.
 */
import type { ProcessIndex } from '../types.js';
import type { BrokerMessage } from './broker.js';

/** A message as it travels: what was published, and by which process. */
export interface BrokerEnvelope {
  publisher: ProcessIndex;
  msg: BrokerMessage;
}

export function encodeBrokerMessage(publisher: ProcessIndex, msg: BrokerMessage): string {
  switch (msg.kind) {
    case 'room':
      return `r${publisher},${msg.room.length},${msg.room}${msg.message}`;
    case 'all':
      return `a${publisher},${msg.message}`;
    case 'conn':
      return `c${publisher},${msg.conn},${msg.message}`;
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
  const n = int();
  if (n === undefined) return undefined;
  if (kind === 'c') return { publisher, msg: { kind: 'conn', conn: n, message: text.slice(pos) } };
  if (kind === 'r' && pos + n <= text.length) {
    return {
      publisher,
      msg: { kind: 'room', room: text.slice(pos, pos + n), message: text.slice(pos + n) },
    };
  }
  return undefined;
}
