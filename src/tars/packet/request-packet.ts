/**
 * RequestPacket (RequestF.tars): what a client sends, and, in TUP (iVersion 2/3), also what a server replies.
 * Field types are native (Map, Uint8Array); encoding is byte-identical to @tars/rpc's.
 */
import type { DecodeLimits } from '../codec/limits.js';
import { TarsReader } from '../codec/reader.js';
import { TarsWriter } from '../codec/writer.js';
import { readStringMap, writeStringMap } from './string-map.js';

/** A Tars request. Every field is required on the wire. */
export interface RequestPacket {
  /** Protocol version, see `TarsVersion` (1 TARS, 2 TUP complex, 3 TUP simple). */
  iVersion: number;
  /** `PacketType`: 0 normal, 1 one-way. */
  cPacketType: number;
  /** `MessageType` bit flags. */
  iMessageType: number;
  iRequestId: number;
  /** `App.Server.Obj`. */
  sServantName: string;
  sFuncName: string;
  /** The encoded arguments (see `createArgWriter`). */
  sBuffer: Uint8Array;
  /** Call timeout in milliseconds. */
  iTimeout: number;
  context: Map<string, string>;
  status: Map<string, string>;
}

/** A request with every field at its IDL default, overridden by `fields`. */
export function createRequestPacket(fields: Partial<RequestPacket> = {}): RequestPacket {
  return {
    iVersion: 1,
    cPacketType: 0,
    iMessageType: 0,
    iRequestId: 0,
    sServantName: '',
    sFuncName: '',
    sBuffer: new Uint8Array(0),
    iTimeout: 0,
    context: new Map(),
    status: new Map(),
    ...fields,
  };
}

/** Writes the packet's fields (a top-level struct body, no length prefix). */
export function writeRequestPacket(w: TarsWriter, p: RequestPacket): void {
  w.writeInt16(1, p.iVersion);
  w.writeInt8(2, p.cPacketType);
  w.writeInt32(3, p.iMessageType);
  w.writeInt32(4, p.iRequestId);
  w.writeString(5, p.sServantName);
  w.writeString(6, p.sFuncName);
  w.writeBytes(7, p.sBuffer);
  w.writeInt32(8, p.iTimeout);
  writeStringMap(w, 9, p.context);
  writeStringMap(w, 10, p.status);
}

/** Reads the packet's fields; a missing field throws TarsDecodeError. */
export function readRequestPacket(r: TarsReader): RequestPacket {
  return {
    iVersion: r.readInt16(1, true, 0),
    cPacketType: r.readInt8(2, true, 0),
    iMessageType: r.readInt32(3, true, 0),
    iRequestId: r.readInt32(4, true, 0),
    sServantName: r.readString(5, true, ''),
    sFuncName: r.readString(6, true, ''),
    sBuffer: r.readBytes(7, true, new Uint8Array(0)),
    iTimeout: r.readInt32(8, true, 0),
    context: readStringMap(r, 9, true),
    status: readStringMap(r, 10, true),
  };
}

/**
 * Encodes a request as a complete TCP frame (4-byte length, then the fields), ready to write to a socket.
 * Pass `w` to encode with a writer of your own; by default the shared scratch writer of `TarsWriter.encodeFramed`.
 * @throws TarsEncodeError when a field is out of range for its type.
 */
export function encodeRequestPacket(p: RequestPacket, w?: TarsWriter): Uint8Array {
  if (w === undefined) return TarsWriter.encodeFramed(p, writeRequestPacket);
  w.reset();
  writeRequestPacket(w, p);
  return w.toFramedBytes();
}

/**
 * Decodes a request from a frame body, as {@link FrameDecoder} yields it (without the 4-byte length).
 * @throws TarsDecodeError on malformed input.
 */
export function decodeRequestPacket(body: Uint8Array, limits?: Partial<DecodeLimits>): RequestPacket {
  return readRequestPacket(new TarsReader(body, limits));
}
