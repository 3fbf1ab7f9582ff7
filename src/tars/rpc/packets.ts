/**
 * The packet layer as the RPC client and server see it: framing, RequestPacket/ResponsePacket, and argument
 * buffers for TARS (iVersion 1) and TUP (iVersion 2 and 3). An adapter: it keeps the RPC code independent of how the
 * packet module spells things.
 */
import { TarsReader } from '../codec/reader.js';
import { TarsWriter } from '../codec/writer.js';
import { TarsDecodeError, TarsDecodeErrorCode } from '../codec/errors.js';
import type { ArgReader, ArgWriter, ValueReader } from '../contract.js';
import { createArgReader, createArgWriter, type ArgEncoder } from '../packet/args.js';
import { PacketType, StatusKey, TarsVersion } from '../packet/constants.js';
import { FrameDecoder } from '../packet/frame-decoder.js';
import { readRequestPacket, writeRequestPacket, type RequestPacket } from '../packet/request-packet.js';
import { readResponsePacket, writeResponsePacket } from '../packet/response-packet.js';

export { PacketType, TarsVersion };

/** A RequestPacket. */
export interface Request {
  readonly version: number;
  readonly packetType: number;
  readonly messageType: number;
  readonly requestId: number;
  readonly servantName: string;
  readonly funcName: string;
  readonly buffer: Uint8Array;
  readonly timeout: number;
  readonly context: ReadonlyMap<string, string>;
  readonly status: ReadonlyMap<string, string>;
}

/** A reply as the client uses it, whichever shape it came in (ResponsePacket, or RequestPacket for TUP). */
export interface Reply {
  readonly version: number;
  readonly requestId: number;
  readonly ret: number;
  readonly resultDesc: string;
  readonly buffer: Uint8Array;
  readonly context: ReadonlyMap<string, string>;
  readonly status: ReadonlyMap<string, string>;
}

const EMPTY = new Uint8Array(0);
const NO_MAP: ReadonlyMap<string, string> = new Map();

/** Encodes a RequestPacket as one TCP frame. */
export function encodeRequest(p: Request): Uint8Array {
  // Encoding is synchronous and runs no caller code, so one scratch writer serves every request.
  PACKET_SCRATCH.reset();
  writeRequest(PACKET_SCRATCH, p);
  return PACKET_SCRATCH.toFramedBytes();
}
const PACKET_SCRATCH = new TarsWriter(4096);

function writeRequest(w: TarsWriter, p: Request): void {
  writeRequestPacket(w, toPacket(p));
}

/** Decodes a frame body (without the length) as a RequestPacket. */
export function decodeRequest(body: Uint8Array): Request {
  return readRequest(new TarsReader(body));
}

function toPacket(p: Request): RequestPacket {
  return {
    iVersion: p.version,
    cPacketType: p.packetType,
    iMessageType: p.messageType,
    iRequestId: p.requestId,
    sServantName: p.servantName,
    sFuncName: p.funcName,
    sBuffer: p.buffer,
    iTimeout: p.timeout,
    context: p.context as Map<string, string>,
    status: p.status as Map<string, string>,
  };
}

function readRequest(r: TarsReader): Request {
  const p = readRequestPacket(r);
  return {
    version: p.iVersion,
    packetType: p.cPacketType,
    messageType: p.iMessageType,
    requestId: p.iRequestId,
    servantName: p.sServantName,
    funcName: p.sFuncName,
    buffer: p.sBuffer,
    timeout: p.iTimeout,
    context: p.context,
    status: p.status,
  };
}

/**
 * Encodes the reply to `req`: a ResponsePacket for TARS, a RequestPacket carrying STATUS_RESULT_CODE/DESC for TUP
 * (what TarsCpp and @tars/rpc send).
 */
export function encodeReply(req: Request, ret: number, desc: string, buffer: Uint8Array): Uint8Array {
  const w = new TarsWriter(64 + buffer.length);
  if (req.version === TarsVersion.TupSimple || req.version === TarsVersion.TupComplex) {
    const status = new Map([
      [StatusKey.ResultCode, String(ret)],
      [StatusKey.ResultDesc, desc],
    ]);
    writeRequest(w, {
      ...req,
      packetType: PacketType.Normal,
      buffer: buffer.length > 0 ? buffer : emptyTupBuffer(),
      timeout: 0,
      context: NO_MAP,
      status,
    });
  } else {
    writeResponsePacket(w, {
      iVersion: req.version,
      cPacketType: PacketType.Normal,
      iRequestId: req.requestId,
      iMessageType: req.messageType,
      iRet: ret,
      sBuffer: buffer,
      status: new Map(),
      sResultDesc: desc,
      context: new Map(),
    });
  }
  return w.toFramedBytes();
}

/** Decodes a reply frame body: the iVersion at tag 1 says which packet shape follows. */
export function decodeReply(body: Uint8Array): Reply {
  const r = new TarsReader(body);
  const version = peekVersion(body);
  if (version === TarsVersion.TupSimple || version === TarsVersion.TupComplex) {
    const p = readRequest(r);
    const code = p.status.get(StatusKey.ResultCode);
    const ret = code === undefined ? 0 : Number.parseInt(code, 10);
    if (!Number.isInteger(ret)) {
      throw new TarsDecodeError(
        TarsDecodeErrorCode.TypeMismatch,
        `STATUS_RESULT_CODE "${code}" is not a number`,
        0,
      );
    }
    return {
      version,
      requestId: p.requestId,
      ret,
      resultDesc: p.status.get(StatusKey.ResultDesc) ?? '',
      buffer: p.buffer,
      context: p.context,
      status: p.status,
    };
  }
  const p = readResponsePacket(r);
  return {
    version,
    requestId: p.iRequestId,
    ret: p.iRet,
    resultDesc: p.sResultDesc,
    buffer: p.sBuffer,
    context: p.context,
    status: p.status,
  };
}

/**
 * iVersion is the first field (tag 1) of both packet shapes; read it from the head byte when it is the usual
 * int8/int16/zero, or with a reader otherwise.
 */
function peekVersion(body: Uint8Array): number {
  const head = body[0];
  if (head === 0x10 && body.length > 1) return ((body[1] as number) << 24) >> 24;
  if (head === 0x1c) return 0;
  return new TarsReader(body).readInt16(1, true, 0);
}

let emptyTup: Uint8Array | undefined;
function emptyTupBuffer(): Uint8Array {
  return (emptyTup ??= newArgWriter(TarsVersion.TupSimple).toBytes());
}

/** An ArgWriter that can hand out its bytes. */
export type BufferArgWriter = ArgEncoder;

/** Arguments writer for `version` (1 positional tags, 2/3 TUP map by name); throws for other versions. */
export function newArgWriter(version: number): BufferArgWriter {
  return createArgWriter(version);
}

const ARGS_SCRATCH = new TarsWriter(4096);
let argsScratchBusy = false;

/**
 * Encodes a call's arguments with a reused writer: `write` runs synchronously, and a re-entrant call (an argument
 * writer that starts another call) falls back to a fresh writer.
 */
export function encodeArgs(version: number, write: (a: ArgWriter) => void): Uint8Array {
  if (argsScratchBusy) {
    const w = createArgWriter(version);
    write(w);
    return w.toBytes();
  }
  argsScratchBusy = true;
  try {
    const w = createArgWriter(version, ARGS_SCRATCH);
    write(w);
    return w.toBytes();
  } finally {
    argsScratchBusy = false;
  }
}

/** Arguments reader over `buf` for `version` (1, 2 or 3); throws TarsDecodeError for other versions. */
export function newArgReader(version: number, buf: Uint8Array): ArgReader {
  return createArgReader(version, buf);
}

const NO_ARGS = new TarsReader(EMPTY);
/** A reader that returns every value at its default: the result of a one-way call. */
export function defaultsArgReader(): ArgReader {
  return { read: <T>(tag: number, _name: string, reader: ValueReader<T>): T => reader(NO_ARGS, tag, false) };
}

/**
 * Splits a byte stream into frame bodies; throws TarsDecodeError (BadFrameLength) on a length outside
 * 4..`maxLength`, after which the connection must be closed. The bodies completed before the bad length are in
 * `out` when it throws.
 */
export class FrameSplitter {
  readonly #frames: FrameDecoder;
  constructor(maxLength: number) {
    this.#frames = new FrameDecoder({ maxFrameBytes: maxLength });
  }
  push(chunk: Buffer, out?: Uint8Array[]): Uint8Array[] {
    return this.#frames.push(chunk, out);
  }
}
