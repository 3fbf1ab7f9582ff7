/**
 * The behaviour every browser Protocol must have, as one suite each implementation's test file runs with a client
 * of that protocol (how a page frames a command and reads what the server sends):
 * `protocolConformance(textProtocol, textClient)`. Written from the Protocol interface and docs/protocol.md.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { ErrorCode, GatewayError } from '../../src/errors.js';
import { PROTOCOLS, selectProtocol, SUBPROTOCOL_PREFIX } from '../../src/protocol/index.js';
import type { InboundMessage, OutboundPush, Protocol } from '../../src/protocol/protocol.js';
import { prng } from './prng.js';

/** The client side of a protocol, written independently of its server code. */
export interface ProtocolClient {
  /** The frame a client sends for `msg`, or undefined when the protocol cannot express it. */
  frame(msg: InboundMessage): string | undefined;
  /** Reads a frame the server sent as a reply. */
  readReply(frame: string): { id?: string | number | undefined; text: string };
  /** Reads a frame as an error; undefined when it is not one. */
  readError(frame: string): { id?: string | number | undefined; code: string; message: string } | undefined;
  /** Reads a frame as a push. */
  readPush(frame: string): { message: string; room?: string | undefined };
  /**
   * Whether a client tells replies, errors and pushes apart by the frame alone (false for the text protocol,
   * whose bare replies and pushes may look like anything).
   */
  tagged: boolean;
  /** Whether replies and errors carry the message's `id` back. */
  correlates: boolean;
  /** Whether a room push tells the client its room. */
  carriesRoom: boolean;
  /** Frames the protocol must refuse, with the code it must refuse them with. */
  badFrames: readonly { frame: string; code: ErrorCode }[];
}

/** Codes `decode` may throw: the frame is unreadable, or a required part of it is missing. */
const DECODE_CODES: readonly string[] = [ErrorCode.BadPayload, ErrorCode.MissingField];

/** Texts any payload, reply or push must carry exactly. */
const TRICKY_TEXTS: readonly string[] = [
  '',
  ' ',
  'plain',
  'a|b|c',
  '|',
  '{"cmd":"x","data":1}',
  '[1,2]',
  '"quoted"',
  'back\\slash',
  'line\nline\r\n',
  'tab\there',
  'nul\u0000byte',
  'caf\u00e9 \u{1F600} 房间 غرفة',
  'error|{"code":"BAD_ROOM","message":"not really"}',
  '{"push":{"message":"not really"}}',
  'x'.repeat(70_000),
];

const COMMANDS: readonly string[] = ['ping', 'subscribe', 'sendByRoom', 'x', 'with space', 'caf\u00e9'];

/** Random text: JSON punctuation, separators, ASCII, controls, non-BMP and lone surrogates. */
function randomText(rand: () => number, maxLength: number): string {
  const pieces = ['{', '}', '[', ']', '"', ':', ',', '|', '\\', 'cmd', 'data', 'id', 'null', '1e999', '-0'];
  let s = '';
  const n = Math.floor(rand() * maxLength);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.3) s += pieces[Math.floor(rand() * pieces.length)];
    else if (r < 0.8) s += String.fromCharCode(0x20 + Math.floor(rand() * 0x5f));
    else if (r < 0.9) s += String.fromCharCode(Math.floor(rand() * 0x20));
    else if (r < 0.95) s += String.fromCodePoint(0x80 + Math.floor(rand() * 0x10ff7f));
    else s += String.fromCharCode(0xd800 + Math.floor(rand() * 0x800)); // a lone surrogate
  }
  return s;
}

/** A frame of the protocol with a few characters inserted, deleted or replaced. */
function mutate(rand: () => number, frame: string): string {
  let s = frame;
  for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
    const at = Math.floor(rand() * (s.length + 1));
    const r = rand();
    const c = randomText(rand, 3);
    if (r < 0.4) s = s.slice(0, at) + c + s.slice(at);
    else if (r < 0.7) s = s.slice(0, at) + s.slice(at + 1);
    else s = s.slice(0, at) + c + s.slice(at + c.length);
  }
  return s;
}

const FUZZ_CASES = 3000;

/** Registers the conformance tests for one Protocol under `describe(name)`. */
export function protocolConformance(protocol: Protocol, client: ProtocolClient): void {
  /** Decodes, and checks the invariants of what came out or of what was thrown. */
  function decodeChecked(frame: string): InboundMessage | GatewayError {
    let msg: InboundMessage;
    try {
      msg = protocol.decode(frame);
    } catch (err) {
      assert.ok(err instanceof GatewayError, `decode threw ${String(err)} for ${JSON.stringify(frame)}`);
      assert.ok(DECODE_CODES.includes(err.code), `decode threw ${err.code} for ${JSON.stringify(frame)}`);
      assert.equal(err.status, 400);
      assert.ok(err.message.length > 0);
      return err;
    }
    assert.equal(typeof msg.cmd, 'string', `cmd of ${JSON.stringify(frame)}`);
    assert.ok(
      msg.id === undefined || typeof msg.id === 'string' || Number.isFinite(msg.id),
      `id of ${JSON.stringify(frame)} is ${String(msg.id)}`,
    );
    return msg;
  }

  describe(`Protocol conformance: ${protocol.name}`, () => {
    describe('negotiation', () => {
      it('has a name that is a valid subprotocol token', () => {
        assert.match(`${SUBPROTOCOL_PREFIX}${protocol.name}`, /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
      });

      it('is registered under its name and chosen by subprotocol or by ?protocol=', () => {
        assert.equal(PROTOCOLS.get(protocol.name), protocol);
        const other = [...PROTOCOLS.values()].find((p) => p !== protocol) ?? protocol;
        const req = (url: string): IncomingMessage => ({ url }) as IncomingMessage;
        const offered = new Set(['chat', `${SUBPROTOCOL_PREFIX}${protocol.name}`]);
        assert.equal(selectProtocol(req('/'), offered, other), protocol);
        assert.equal(selectProtocol(req(`/?protocol=${protocol.name}`), new Set(), other), protocol);
      });
    });

    describe('decode', () => {
      it('reads back every command a client frames, with its text payload and id', () => {
        let framed = 0;
        for (const cmd of COMMANDS) {
          for (const data of [undefined, ...TRICKY_TEXTS]) {
            for (const id of [undefined, 7, 'q-1']) {
              const frame = client.frame(id === undefined ? { cmd, data } : { cmd, data, id });
              if (frame === undefined) continue;
              framed++;
              const got = protocol.decode(frame);
              assert.equal(got.cmd, cmd);
              assert.equal(got.data, data, `data of ${JSON.stringify(frame.slice(0, 60))}`);
              if (client.correlates) assert.equal(got.id, id);
            }
          }
        }
        assert.ok(framed > 0, 'the client could frame none of the messages');
      });

      it('refuses bad frames with a typed error and the documented code', () => {
        for (const { frame, code } of client.badFrames) {
          assert.throws(
            () => protocol.decode(frame),
            (err: unknown) => err instanceof GatewayError && err.code === code && err.status === 400,
            JSON.stringify(frame),
          );
        }
      });

      it('throws nothing but a BAD_PAYLOAD or MISSING_FIELD GatewayError, whatever the frame (seeded fuzz)', () => {
        const rand = prng(0x7a45);
        const valid = COMMANDS.flatMap((cmd) =>
          TRICKY_TEXTS.slice(0, -1).map((data) => client.frame({ cmd, data, id: 1 }) ?? cmd),
        );
        for (let i = 0; i < FUZZ_CASES; i++) {
          const frame =
            i % 2 === 0 ? randomText(rand, 40) : mutate(rand, valid[Math.floor(rand() * valid.length)] ?? '');
          decodeChecked(frame);
        }
      });

      it('leaves Object.prototype alone for frames naming __proto__ or constructor', () => {
        for (const frame of [
          '{"cmd":"x","__proto__":{"polluted":1}}',
          '{"cmd":"x","data":{"__proto__":{"polluted":1}},"constructor":{"prototype":{"polluted":1}}}',
          '__proto__|{"polluted":1}',
        ]) {
          decodeChecked(frame);
        }
        assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      });
    });

    describe('encodeReply', () => {
      it('carries any reply text exactly', () => {
        for (const text of TRICKY_TEXTS) {
          assert.equal(
            client.readReply(protocol.encodeReply({ cmd: 'ping', data: undefined }, text)).text,
            text,
          );
        }
      });

      it('echoes the id of every message it decoded (seeded fuzz)', () => {
        const rand = prng(0x1d);
        const ids = [7, 0, -1, 2 ** 53, 1.5, 'q', '', '\u{1F600}'];
        const frames = [
          ...ids.map((id) => client.frame({ cmd: 'x', data: 'd', id })),
          '{"cmd":"x","id":1e999}',
          '{"cmd":"x","id":-0}',
          '{"cmd":"x","id":{"a":1}}',
          '{"cmd":"x","id":null}',
          ...Array.from({ length: 500 }, () => randomText(rand, 30)),
        ];
        for (const frame of frames) {
          if (frame === undefined) continue;
          const msg = decodeChecked(frame);
          if (msg instanceof GatewayError) continue;
          const reply = client.readReply(protocol.encodeReply(msg, 'ok'));
          assert.equal(reply.text, 'ok');
          if (client.correlates) {
            assert.ok(reply.id === msg.id, `id ${String(msg.id)} came back as ${String(reply.id)}`);
          }
        }
      });
    });

    describe('encodeError', () => {
      it('carries every error code and its message, for a decoded message and for an undecodable frame', () => {
        for (const code of Object.values(ErrorCode)) {
          for (const msg of [{ cmd: 'subscribe', data: 'r', id: 3 }, undefined]) {
            const text = `why ${code}: "a|b"\n`;
            const view = client.readError(protocol.encodeError(msg, new GatewayError(code, text)));
            assert.ok(view, `${code} was not read as an error`);
            assert.equal(view.code, code);
            assert.equal(view.message, text);
            if (client.correlates) assert.equal(view.id, msg?.id);
          }
        }
      });

      it('is told apart from replies and pushes, even ones whose text looks like an error', (t) => {
        if (!client.tagged) return t.skip(`${protocol.name} frames are untagged`);
        const msg = { cmd: 'x', data: undefined };
        const lookalike = protocol.encodeError(msg, new GatewayError(ErrorCode.BadRoom, 'nope'));
        for (const text of [...TRICKY_TEXTS, lookalike]) {
          assert.equal(client.readError(protocol.encodeReply(msg, text)), undefined, text);
          assert.equal(client.readError(protocol.encodePush({ message: text })), undefined, text);
        }
      });
    });

    describe('encodePush', () => {
      it('carries any pushed text exactly, with its room when the protocol tells rooms', () => {
        for (const message of TRICKY_TEXTS) {
          for (const push of [{ message, room: 'room1' }, { message }] as OutboundPush[]) {
            const view = client.readPush(protocol.encodePush(push));
            assert.equal(view.message, message);
            if (client.carriesRoom) assert.equal(view.room, push.room);
          }
        }
      });

      it('gives every receiver the same text: a pure function of the push, which it leaves unchanged', () => {
        const push: OutboundPush = Object.freeze({ message: 'to all \u{1F600}', room: 'r' });
        const first = protocol.encodePush(push);
        assert.equal(protocol.encodePush({ room: 'r', message: 'to all \u{1F600}' }), first);
        // A broker message is an OutboundPush with more fields: only the push's own fields reach the wire.
        const brokerMessage = { kind: 'room', room: 'r', message: 'to all \u{1F600}' } as OutboundPush;
        assert.equal(protocol.encodePush(brokerMessage), first);
        assert.equal(protocol.encodePush(push), first);
        assert.deepEqual(push, { message: 'to all \u{1F600}', room: 'r' });
      });

      it('encodes any text in replies, errors and pushes without throwing (seeded fuzz)', () => {
        const rand = prng(0x9e1);
        for (let i = 0; i < FUZZ_CASES / 3; i++) {
          const text = randomText(rand, 60);
          const room = i % 3 === 0 ? undefined : randomText(rand, 10);
          const push: OutboundPush = room === undefined ? { message: text } : { message: text, room };
          assert.equal(client.readPush(protocol.encodePush(push)).message, text);
          assert.equal(client.readReply(protocol.encodeReply({ cmd: text, data: text }, text)).text, text);
          const err = client.readError(
            protocol.encodeError(undefined, new GatewayError(ErrorCode.BadParam, text)),
          );
          assert.equal(err?.message, text);
        }
      });
    });
  });
}
