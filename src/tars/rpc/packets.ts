/**
 * The packet layer as the RPC client and server see it: framing, RequestPacket/ResponsePacket, and argument
 * buffers for TARS (iVersion 1) and TUP (iVersion 3). An adapter: it keeps the RPC code independent of how the
 * packet module spells things.
 */
import { TarsReader } from '../codec/reader.js';
import { TarsWriter } from '../codec/writer.js';
import { TarsDecodeError, TarsDecodeErrorCode } from '../codec/errors.js';
import type { ArgReader, ArgWriter, ValueReader, ValueWriter } from '../contract.js';

/** RequestPacket.iVersion values. */
export const TarsVersion = { Tars: 1, TupComplex: 2, Tup: 3, Json: 5 } as const;
/** RequestPacket.cPacketType values. */
export const PacketType = { Normal: 0, Oneway: 1 } as const;

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
const str: ValueWriter<string> = (w, t, v) => w.writeString(t, v);
const rstr: ValueReader<string> = (r, t, q) => r.readString(t, q, '');
const bytesW: ValueWriter<Uint8Array> = (w, t, v) => w.writeBytes(t, v);
const bytesR: ValueReader<Uint8Array> = (r, t, q) => r.readBytes(t, q, EMPTY);

/** Encodes a RequestPacket as one TCP frame. */
export function encodeRequest(p: Request): Uint8Array {
  const w = new TarsWriter(64 + p.buffer.length + p.servantName.length + p.funcName.length);
  writeRequest(w, p);
  return w.toFramedBytes();
}

function writeRequest(w: TarsWriter, p: Request): void {
  w.writeInt16(1, p.version);
  w.writeInt8(2, p.packetType);
  w.writeInt32(3, p.messageType);
  w.writeInt32(4, p.requestId);
  w.writeString(5, p.servantName);
  w.writeString(6, p.funcName);
  w.writeBytes(7, p.buffer);
  w.writeInt32(8, p.timeout);
  w.writeMap(9, p.context, str, str);
  w.writeMap(10, p.status, str, str);
}

/** Decodes a frame body (without the length) as a RequestPacket. */
export function decodeRequest(body: Uint8Array): Request {
  const r = new TarsReader(body);
  return readRequest(r);
}

function readRequest(r: TarsReader): Request {
  return {
    version: r.readInt16(1, true, 0),
    packetType: r.readInt8(2, true, 0),
    messageType: r.readInt32(3, true, 0),
    requestId: r.readInt32(4, true, 0),
    servantName: r.readString(5, true, ''),
    funcName: r.readString(6, true, ''),
    buffer: r.readBytes(7, true, EMPTY),
    timeout: r.readInt32(8, true, 0),
    context: r.readMap(9, true, rstr, rstr),
    status: r.readMap(10, true, rstr, rstr),
  };
}

/**
 * Encodes the reply to `req`: a ResponsePacket for TARS, a RequestPacket carrying STATUS_RESULT_CODE/DESC for TUP
 * (what TarsCpp and @tars/rpc send).
 */
export function encodeReply(req: Request, ret: number, desc: string, buffer: Uint8Array): Uint8Array {
  const w = new TarsWriter(64 + buffer.length);
  if (req.version === TarsVersion.Tup || req.version === TarsVersion.TupComplex) {
    const status = new Map([
      ['STATUS_RESULT_CODE', String(ret)],
      ['STATUS_RESULT_DESC', desc],
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
    w.writeInt16(1, req.version);
    w.writeInt8(2, PacketType.Normal);
    w.writeInt32(3, req.requestId);
    w.writeInt32(4, req.messageType);
    w.writeInt32(5, ret);
    w.writeBytes(6, buffer);
    w.writeMap(7, NO_MAP, str, str);
    w.writeString(8, desc);
    w.writeMap(9, NO_MAP, str, str);
  }
  return w.toFramedBytes();
}

/** Decodes a reply frame body: the iVersion at tag 1 says which packet shape follows. */
export function decodeReply(body: Uint8Array): Reply {
  const r = new TarsReader(body);
  const version = new TarsReader(body).readInt16(1, true, 0);
  if (version === TarsVersion.Tup || version === TarsVersion.TupComplex) {
    const p = readRequest(r);
    const code = p.status.get('STATUS_RESULT_CODE');
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
      resultDesc: p.status.get('STATUS_RESULT_DESC') ?? '',
      buffer: p.buffer,
      context: p.context,
      status: p.status,
    };
  }
  r.readInt16(1, true, 0);
  r.readInt8(2, true, 0);
  const requestId = r.readInt32(3, true, 0);
  r.readInt32(4, true, 0);
  const ret = r.readInt32(5, true, 0);
  const buffer = r.readBytes(6, true, EMPTY);
  const status = r.readMap(7, true, rstr, rstr);
  const resultDesc = r.readString(8, false, '');
  const context = r.readMap(9, false, rstr, rstr);
  return { version, requestId, ret, resultDesc, buffer, context, status };
}

let emptyTup: Uint8Array | undefined;
function emptyTupBuffer(): Uint8Array {
  return (emptyTup ??= newArgWriter(TarsVersion.Tup).toBytes());
}

/** An ArgWriter that can hand out its bytes. */
export interface BufferArgWriter extends ArgWriter {
  toBytes(): Uint8Array;
}

/** Arguments writer for `version` (1 positional tags, 3 TUP map by name). */
export function newArgWriter(version: number): BufferArgWriter {
  if (version === TarsVersion.Tup) return new TupArgWriter();
  if (version === TarsVersion.Tars) return new TarsArgWriter();
  throw new TarsDecodeError(
    TarsDecodeErrorCode.UnsupportedVersion,
    `packet version ${version} is not supported`,
    0,
  );
}

/** Arguments reader over `buf` for `version`. */
export function newArgReader(version: number, buf: Uint8Array): ArgReader {
  if (version === TarsVersion.Tup) return new TupArgReader(buf);
  if (version === TarsVersion.Tars) return new TarsArgReader(buf);
  throw new TarsDecodeError(
    TarsDecodeErrorCode.UnsupportedVersion,
    `packet version ${version} is not supported`,
    0,
  );
}

/** A reader that returns every value at its default: the result of a one-way call. */
export function defaultsArgReader(): ArgReader {
  return {
    read: <T>(tag: number, _name: string, reader: ValueReader<T>): T =>
      reader(new TarsReader(EMPTY), tag, false),
  };
}

class TarsArgWriter implements BufferArgWriter {
  readonly #w = new TarsWriter();
  write<T>(tag: number, _name: string, v: T, writer: ValueWriter<T>): void {
    writer(this.#w, tag, v);
  }
  toBytes(): Uint8Array {
    return this.#w.toBytes();
  }
}

class TarsArgReader implements ArgReader {
  readonly #r: TarsReader;
  constructor(buf: Uint8Array) {
    this.#r = new TarsReader(buf);
  }
  read<T>(tag: number, _name: string, reader: ValueReader<T>): T {
    return reader(this.#r, tag, true);
  }
}

class TupArgWriter implements BufferArgWriter {
  readonly #values = new Map<string, Uint8Array>();
  write<T>(_tag: number, name: string, v: T, writer: ValueWriter<T>): void {
    const w = new TarsWriter();
    writer(w, 0, v);
    this.#values.set(name, w.toBytes());
  }
  toBytes(): Uint8Array {
    const w = new TarsWriter();
    w.writeMap(0, this.#values, str, bytesW);
    return w.toBytes();
  }
}

class TupArgReader implements ArgReader {
  readonly #values: Map<string, Uint8Array>;
  constructor(buf: Uint8Array) {
    this.#values = new TarsReader(buf).readMap(0, true, rstr, bytesR);
  }
  read<T>(_tag: number, name: string, reader: ValueReader<T>): T {
    const bytes = this.#values.get(name);
    if (bytes === undefined) {
      throw new TarsDecodeError(TarsDecodeErrorCode.RequiredMissing, `argument "${name}" is missing`, 0);
    }
    return reader(new TarsReader(bytes), 0, true);
  }
}

/**
 * Splits a byte stream into Tars frames (4-byte big-endian length that counts itself). Throws TarsDecodeError
 * (BadFrameLength) on a length below 5 or above `maxLength`; the connection must then be closed.
 */
export class FrameSplitter {
  readonly #max: number;
  #pending: Buffer | undefined;

  constructor(maxLength: number) {
    this.#max = maxLength;
  }

  push(chunk: Buffer): Uint8Array[] {
    let buf = chunk;
    if (this.#pending) {
      buf = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    const out: Uint8Array[] = [];
    let pos = 0;
    while (buf.length - pos >= 4) {
      const len = buf.readUInt32BE(pos);
      if (len <= 4 || len > this.#max) {
        throw new TarsDecodeError(
          TarsDecodeErrorCode.BadFrameLength,
          `frame length ${len} outside 5..${this.#max}`,
          pos,
        );
      }
      if (buf.length - pos < len) break;
      out.push(buf.subarray(pos + 4, pos + len));
      pos += len;
    }
    if (pos < buf.length) this.#pending = Buffer.from(buf.subarray(pos));
    return out;
  }
}
