/**
 * A JSON protocol for new clients: `{"cmd":"subscribe","data":"room1","id":1}` in;
 * `{"id":1,"ok":true,"data":"..."}`, `{"id":1,"ok":false,"error":{"code","message"}}` and
 * `{"push":{"room":"room1","message":"..."}}` out; `history`/`presence` answer a JSON value as `data`.
 */
import { ErrorCode, GatewayError } from '../errors.js';
import type { InboundMessage, OutboundPush, Protocol } from './protocol.js';

export const jsonProtocol: Protocol = {
  name: 'json',
  decode(frame: string): InboundMessage {
    let parsed: unknown;
    try {
      parsed = JSON.parse(frame);
    } catch {
      throw new GatewayError(ErrorCode.BadPayload, 'frame is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new GatewayError(ErrorCode.BadPayload, 'frame must be a JSON object {"cmd": ..., "data": ...}');
    }
    const { cmd, data, id } = parsed as Record<string, unknown>;
    if (typeof cmd !== 'string')
      throw new GatewayError(ErrorCode.MissingField, 'field "cmd" (string) is required');
    const msg: InboundMessage = { cmd, data };
    // A finite number only: 1e999 parses as Infinity, which a reply would echo as null.
    if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) msg.id = id;
    return msg;
  },
  encodeReply(msg: InboundMessage, reply: string): string {
    return JSON.stringify({ id: msg.id, cmd: msg.cmd, ok: true, data: reply });
  },
  encodeResult(msg: InboundMessage, data: unknown): string {
    return JSON.stringify({ id: msg.id, cmd: msg.cmd, ok: true, data });
  },
  encodeError(msg: InboundMessage | undefined, err: GatewayError): string {
    return JSON.stringify({
      id: msg?.id,
      cmd: msg?.cmd,
      ok: false,
      error: { code: err.code, message: err.message },
    });
  },
  encodePush(push: OutboundPush): string {
    // Built field by field: the text depends on the push only, never on its key order or extra properties.
    const body: Record<string, unknown> =
      push.room === undefined ? { message: push.message } : { message: push.message, room: push.room };
    // The history position, when the room keeps history (a client resumes from it).
    if (push.pub?.offset !== undefined) {
      body['offset'] = push.pub.offset;
      body['epoch'] = push.pub.epoch;
    }
    return JSON.stringify({ push: body });
  },
};
