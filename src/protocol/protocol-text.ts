/**
 * The original TarsPHP example's protocol, byte-compatible with its pages: `cmd|payload` text frames, bare-text
 * replies and pushes. Split at the FIRST `|` only, so JSON payloads may contain `|`.
 */
import type { GatewayError } from '../errors.js';
import type { InboundMessage, OutboundPush, Protocol } from './protocol.js';

export const textProtocol: Protocol = {
  name: 'text',
  decode(frame: string): InboundMessage {
    const bar = frame.indexOf('|');
    return bar < 0
      ? { cmd: frame, data: undefined }
      : { cmd: frame.slice(0, bar), data: frame.slice(bar + 1) };
  },
  encodeReply(_msg: InboundMessage, reply: string): string {
    return reply;
  },
  // Errors keep the `cmd|payload` shape so a page that logs every frame shows a readable line.
  encodeError(_msg: InboundMessage | undefined, err: GatewayError): string {
    return `error|${JSON.stringify({ code: err.code, message: err.message })}`;
  },
  encodePush(push: OutboundPush): string {
    return push.message;
  },
};
