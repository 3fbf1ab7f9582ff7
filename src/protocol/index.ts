/** Protocol registry and per-connection negotiation. */
import type { IncomingMessage } from 'node:http';
import { CENTRIFUGE_PATH, centrifugeProtocol } from './centrifuge/index.js';
import { jsonProtocol } from './protocol-json.js';
import { textProtocol } from './protocol-text.js';
import type { Protocol } from './protocol.js';

export type { InboundMessage, OutboundPush, Protocol } from './protocol.js';
export { CENTRIFUGE_PATH, centrifugeProtocol, jsonProtocol, textProtocol };

/** Built-in protocols by name; the `Sec-WebSocket-Protocol` values are `tars-ws.<name>`. */
export const PROTOCOLS: ReadonlyMap<string, Protocol> = new Map([
  [textProtocol.name, textProtocol],
  [jsonProtocol.name, jsonProtocol],
]);

export const SUBPROTOCOL_PREFIX = 'tars-ws.';

/**
 * Picks a connection's protocol: Centrifugo's on {@link CENTRIFUGE_PATH}; elsewhere the first `tars-ws.<name>` subprotocol offered, else `?protocol=<name>`, else the
 * default. Unknown names fall back to the default so old pages keep working.
 */
export function selectProtocol(
  req: IncomingMessage,
  offered: ReadonlySet<string>,
  fallback: Protocol,
): Protocol {
  const q = req.url?.indexOf('?') ?? -1;
  if ((q >= 0 ? req.url?.slice(0, q) : req.url) === CENTRIFUGE_PATH) return centrifugeProtocol;
  for (const sub of offered) {
    const p = sub.startsWith(SUBPROTOCOL_PREFIX)
      ? PROTOCOLS.get(sub.slice(SUBPROTOCOL_PREFIX.length))
      : undefined;
    if (p) return p;
  }
  if (q >= 0) {
    const name = new URLSearchParams(req.url?.slice(q + 1)).get('protocol');
    const p = name === null ? undefined : PROTOCOLS.get(name);
    if (p) return p;
  }
  return fallback;
}
