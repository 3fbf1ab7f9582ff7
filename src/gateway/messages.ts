/**
 * Message handlers (the original's `src/message`): one handler per command, plus a fallback for unknown commands.
 * A handler returns the reply text (or nothing); a thrown {@link GatewayError} becomes an error reply and the
 * connection stays open.
 */
import { ErrorCode, GatewayError } from '../errors.js';
import type { InboundMessage, Protocol } from '../protocol/protocol.js';
import type { GatewayApi } from './api.js';
import type { Connection } from './connection.js';
import { PushCallers, type PushResult } from './push.js';

export type MessageHandler = (ctx: MessageContext) => string | void | Promise<string | void>;

/** What a handler sees: the message, its connection, and the gateway to act on. */
export class MessageContext {
  readonly gateway: GatewayApi;
  readonly conn: Connection;
  readonly msg: InboundMessage;

  constructor(gateway: GatewayApi, conn: Connection, msg: InboundMessage) {
    this.gateway = gateway;
    this.conn = conn;
    this.msg = msg;
  }

  get cmd(): string {
    return this.msg.cmd;
  }

  /** The payload as text; throws MISSING_FIELD when there is none. */
  text(what = 'payload'): string {
    const { data } = this.msg;
    if (typeof data === 'string' && data !== '') return data;
    if (typeof data === 'number') return String(data);
    throw new GatewayError(ErrorCode.MissingField, `${this.cmd} needs a ${what}`);
  }

  /**
   * The payload as a JSON object: parsed from text (text protocol) or taken as is (JSON protocol).
   * @example  const { roomNum } = ctx.object(); // sendByRoom|{"roomNum":"room1","message":"hi"}
   */
  object(): Record<string, unknown> {
    let { data } = this.msg;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch {
        throw new GatewayError(ErrorCode.BadPayload, `${this.cmd} payload is not valid JSON`);
      }
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new GatewayError(ErrorCode.BadPayload, `${this.cmd} payload must be a JSON object`);
    }
    return data as Record<string, unknown>;
  }

  /** A required string field of the object payload (numbers are accepted and turned into text). */
  field(obj: Record<string, unknown>, name: string): string {
    const v = obj[name];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    throw new GatewayError(ErrorCode.MissingField, `${this.cmd} needs a string field "${name}"`);
  }

  /** Pushes to a room on behalf of this connection (checks: the gateway's push policies, room name, size). */
  pushToRoom(room: unknown, message: unknown): Promise<PushResult> {
    return this.gateway.push.toRoom(PushCallers.client(this.conn), room, message);
  }

  /** Pushes to every connection on behalf of this connection. */
  pushToAll(message: unknown): Promise<void> {
    return this.gateway.push.toAll(PushCallers.client(this.conn), message);
  }

  /**
   * Answers with a JSON value (history, presence), sent at once; only for handlers registered with `results`
   * (see {@link MessageRouter.on}), which only protocols with `encodeResult` reach.
   */
  result(data: unknown): void {
    const { protocol } = this.conn;
    if (!protocol.encodeResult) throw new Error(`protocol ${protocol.name} has no JSON replies`);
    this.conn.send(protocol.encodeResult(this.msg, data));
  }

  /** Sends an extra reply frame to this connection (the return value of the handler is the main one). */
  reply(text: string): void {
    this.conn.send(this.conn.protocol.encodeReply(this.msg, text));
  }
}

/** How a command is offered. */
export interface HandlerOptions {
  /**
   * Only to protocols that answer JSON values (`encodeResult`: the JSON protocol); the others get the fallback as
   * if the command did not exist, so the text protocol's pages see exactly what they saw before it.
   */
  results?: boolean;
  /**
   * The next frame of the connection may start as soon as this handler has run up to its first `await` (its push is
   * issued, so pushes keep the frames' order), instead of after it finished; replies still go out in frame order.
   * For handlers whose only wait is the send path (`sendByRoom`, `broadcast`): a burst from one connection then
   * pipelines its history appends instead of waiting one engine round trip per message. Order holds while push
   * policies (`authorizePush`) answer in the order they were asked, as synchronous ones do.
   */
  pipelined?: boolean;
}

/** The command table. */
export class MessageRouter {
  readonly #handlers = new Map<string, MessageHandler>();
  /** Commands registered with `results`. */
  readonly #resultsOnly = new Set<string>();
  readonly #pipelined = new Set<string>();
  #fallback: MessageHandler | undefined;

  on(cmd: string, handler: MessageHandler, options: HandlerOptions = {}): void {
    this.#handlers.set(cmd, handler);
    if (options.results === true) this.#resultsOnly.add(cmd);
    else this.#resultsOnly.delete(cmd);
    if (options.pipelined === true) this.#pipelined.add(cmd);
    else this.#pipelined.delete(cmd);
  }

  /** Whether `cmd`'s handler lets the next frame start before it finishes (see {@link HandlerOptions.pipelined}). */
  isPipelined(cmd: string): boolean {
    return this.#pipelined.has(cmd);
  }

  /** Handler for commands nobody registered. */
  otherwise(handler: MessageHandler): void {
    this.#fallback = handler;
  }

  /** The handler of `cmd` for a connection of `protocol`. */
  get(cmd: string, protocol?: Protocol): MessageHandler | undefined {
    if (this.#resultsOnly.has(cmd) && protocol?.encodeResult === undefined) return this.#fallback;
    return this.#handlers.get(cmd) ?? this.#fallback;
  }
}
