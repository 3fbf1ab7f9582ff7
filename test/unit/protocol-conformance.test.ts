/** Every built-in browser protocol against the protocol conformance suite, each with a client written from docs/protocol.md. */
import { ErrorCode } from '../../src/errors.js';
import { jsonProtocol, textProtocol } from '../../src/protocol/index.js';
import { protocolConformance, type ProtocolClient } from '../support/protocol-conformance.js';

/** A page of the original example: `cmd|payload` out, bare text in, `error|{json}` for errors. */
const textClient: ProtocolClient = {
  frame: ({ cmd, data }) => {
    if (cmd.includes('|') || (data !== undefined && typeof data !== 'string')) return undefined;
    return data === undefined ? cmd : `${cmd}|${data}`;
  },
  readReply: (frame) => ({ text: frame }),
  readError: (frame) => {
    if (!frame.startsWith('error|')) return undefined;
    const { code, message } = JSON.parse(frame.slice('error|'.length)) as { code: string; message: string };
    return { code, message };
  },
  readPush: (frame) => ({ message: frame }),
  tagged: false,
  correlates: false,
  carriesRoom: false,
  badFrames: [],
};

interface JsonFrame {
  id?: string | number;
  ok?: boolean;
  data?: unknown;
  error?: { code: string; message: string };
  push?: { message: string; room?: string };
}

function parseJson(frame: string): JsonFrame {
  const parsed = JSON.parse(frame) as unknown;
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`not a JSON object: ${frame}`);
  return parsed as JsonFrame;
}

/** A new client: `{"cmd","data","id"}` out; `{"id","ok":true,"data"}`, `{"ok":false,"error"}`, `{"push"}` in. */
const jsonClient: ProtocolClient = {
  frame: (msg) => JSON.stringify(msg),
  readReply: (frame) => {
    const f = parseJson(frame);
    if (f.ok !== true || typeof f.data !== 'string') throw new Error(`not a reply: ${frame.slice(0, 80)}`);
    return { id: f.id, text: f.data };
  },
  readError: (frame) => {
    const f = parseJson(frame);
    return f.ok === false && f.error ? { id: f.id, code: f.error.code, message: f.error.message } : undefined;
  },
  readPush: (frame) => {
    const f = parseJson(frame);
    if (typeof f.push?.message !== 'string') throw new Error(`not a push: ${frame.slice(0, 80)}`);
    return f.push;
  },
  tagged: true,
  correlates: true,
  carriesRoom: true,
  badFrames: [
    ...['', 'nope', '{', '{"cmd":"x"', '[]', '[{"cmd":"x"}]', '1', 'null', 'true', '"cmd"'].map((frame) => ({
      frame,
      code: ErrorCode.BadPayload,
    })),
    ...['{}', '{"data":1}', '{"cmd":5}', '{"cmd":null}', '{"cmd":["x"]}', '{"CMD":"x"}'].map((frame) => ({
      frame,
      code: ErrorCode.MissingField,
    })),
  ],
};

protocolConformance(textProtocol, textClient);
protocolConformance(jsonProtocol, jsonClient);
