/**
 * ResponsePacket (RequestF.tars): a TARS (iVersion 1) server's reply. Field types are native; encoding writes
 * every field, the optional ones included, exactly as @tars/rpc does.
 */
import type { DecodeLimits } from '../codec/limits.js';
import { TarsReader } from '../codec/reader.js';
import { TarsWriter } from '../codec/writer.js';
import { readStringMap, writeStringMap } from './string-map.js';

/** A Tars response. */
export interface ResponsePacket {
  iVersion: number;
  cPacketType: number;
  iRequestId: number;
  iMessageType: number;
  /** `TarsRet` code: 0 success, negative framework errors. */
  iRet: number;
  /** The encoded return value (tag 0) and out-parameters. */
  sBuffer: Uint8Array;
  status: Map<string, string>;
  /** Optional on the wire; '' when absent. */
  sResultDesc: string;
  /** Optional on the wire; empty when absent. */
  context: Map<string, string>;
}

/** A response with every field at its IDL default, overridden by `fields`. */
export function createResponsePacket(fields: Partial<ResponsePacket> = {}): ResponsePacket {
  return {
    iVersion: 1,
    cPacketType: 0,
    iRequestId: 0,
    iMessageType: 0,
    iRet: 0,
    sBuffer: new Uint8Array(0),
    status: new Map(),
    sResultDesc: '',
    context: new Map(),
    ...fields,
  };
}

/** Writes the packet's fields (a top-level struct body, no length prefix). */
export function writeResponsePacket(w: TarsWriter, p: ResponsePacket): void {
  w.writeInt16(1, p.iVersion);
  w.writeInt8(2, p.cPacketType);
  w.writeInt32(3, p.iRequestId);
  w.writeInt32(4, p.iMessageType);
  w.writeInt32(5, p.iRet);
  w.writeBytes(6, p.sBuffer);
  writeStringMap(w, 7, p.status);
  w.writeString(8, p.sResultDesc);
  writeStringMap(w, 9, p.context);
}

/** Reads the packet's fields; a missing required field throws TarsDecodeError. */
export function readResponsePacket(r: TarsReader): ResponsePacket {
  return {
    iVersion: r.readInt16(1, true, 0),
    cPacketType: r.readInt8(2, true, 0),
    iRequestId: r.readInt32(3, true, 0),
    iMessageType: r.readInt32(4, true, 0),
    iRet: r.readInt32(5, true, 0),
    sBuffer: r.readBytes(6, true, new Uint8Array(0)),
    status: readStringMap(r, 7, true),
    sResultDesc: r.readString(8, false, ''),
    context: readStringMap(r, 9, false),
  };
}

/**
 * Encodes a response as a complete TCP frame (4-byte length, then the fields), ready to write to a socket.
 * Pass `w` to encode with a writer of your own; by default the shared scratch writer of `TarsWriter.encodeFramed`.
 * @throws TarsEncodeError when a field is out of range for its type.
 */
export function encodeResponsePacket(p: ResponsePacket, w?: TarsWriter): Uint8Array {
  if (w === undefined) return TarsWriter.encodeFramed(p, writeResponsePacket);
  w.reset();
  writeResponsePacket(w, p);
  return w.toFramedBytes();
}

/**
 * Decodes a response from a frame body, as {@link FrameDecoder} yields it (without the 4-byte length).
 * @throws TarsDecodeError on malformed input.
 */
export function decodeResponsePacket(body: Uint8Array, limits?: Partial<DecodeLimits>): ResponsePacket {
  return readResponsePacket(new TarsReader(body, limits));
}
