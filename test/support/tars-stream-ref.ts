/**
 * Typed access to the Node reference packages @tars/stream 2.0.3 and @tars/rpc 2.0.15 (CommonJS, loose typings),
 * used only as the byte-exact oracle in tests and as the peer in the codec benchmark. Declares just what we use.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A type descriptor of the reference package (Tars.Int32, Tars.List(...), a struct class...). Opaque here. */
export interface RefProto {
  readonly _classname: string;
}

export interface RefBinBuffer {
  readonly length: number;
  toNodeBuffer(): Buffer;
}

export interface RefList<T> extends RefProto {
  value: T[];
  push(v: T): void;
}

export interface RefMap<V> extends RefProto {
  value: Record<string, V>;
  insert(key: string | number, value: V): void;
  get(key: string | number): V | undefined;
}

/** A struct value as the reference generator makes them: it writes its own fields. */
export interface RefStructValue {
  _writeTo(os: RefOutputStream): void;
}

export interface RefOutputStream {
  writeBoolean(tag: number, v: boolean): void;
  writeInt8(tag: number, v: number): void;
  writeInt16(tag: number, v: number): void;
  writeInt32(tag: number, v: number): void;
  /** With `bString` true, `v` is a decimal string and full 64-bit precision is kept. */
  writeInt64(tag: number, v: number | string, bString?: boolean): void;
  writeUInt8(tag: number, v: number): void;
  writeUInt16(tag: number, v: number): void;
  writeUInt32(tag: number, v: number): void;
  writeFloat(tag: number, v: number): void;
  writeDouble(tag: number, v: number): void;
  writeString(tag: number, v: string): void;
  writeBytes(tag: number, v: RefBinBuffer): void;
  writeList<T>(tag: number, v: RefList<T>): void;
  writeMap<V>(tag: number, v: RefMap<V>): void;
  writeStruct(tag: number, v: RefStructValue): void;
  getBinBuffer(): RefBinBuffer;
}

/** A struct type as the reference generator makes them: a static reader. */
export interface RefStructType<T> {
  _readFrom(is: RefInputStream): T;
}

export interface RefInputStream {
  readBoolean(tag: number, required: boolean, def?: boolean): boolean;
  readInt8(tag: number, required: boolean, def?: number): number;
  readInt16(tag: number, required: boolean, def?: number): number;
  readInt32(tag: number, required: boolean, def?: number): number;
  /** Number mode: exact up to 2^53 only. */
  readInt64(tag: number, required: boolean, def?: number): number;
  /** With `bString` true, a decimal string with full precision (a number when the wire type was narrower). */
  readInt64(tag: number, required: boolean, def: number | string, bString: true): string | number;
  readUInt8(tag: number, required: boolean, def?: number): number;
  readUInt16(tag: number, required: boolean, def?: number): number;
  readUInt32(tag: number, required: boolean, def?: number): number;
  readFloat(tag: number, required: boolean, def?: number): number;
  readDouble(tag: number, required: boolean, def?: number): number;
  readString(tag: number, required: boolean, def?: string): string;
  readBytes(tag: number, required: boolean, type: RefProto): RefBinBuffer;
  readList<T>(tag: number, required: boolean, type: RefList<T>): RefList<T>;
  readMap<V>(tag: number, required: boolean, type: RefMap<V>): RefMap<V>;
  readStruct<T>(tag: number, required: boolean, type: RefStructType<T>): T;
}

/** The TUP packet class (iVersion 2/3), used to cross-check our TUP argument encoding. */
export interface RefTup {
  tupVersion: number;
  servantName: string;
  funcName: string;
  requestId: number;
  writeInt32(name: string, v: number): void;
  writeString(name: string, v: string): void;
  writeBoolean(name: string, v: boolean): void;
  readInt32(name: string, def?: number): number;
  readString(name: string, def?: string): string;
  encode(): RefBinBuffer;
  decode(b: RefBinBuffer): void;
}

export interface TarsStreamModule {
  readonly Boolean: RefProto;
  readonly Int8: RefProto;
  readonly Int16: RefProto;
  readonly Int32: RefProto;
  readonly Int64: RefProto;
  readonly UInt8: RefProto;
  readonly UInt16: RefProto;
  readonly UInt32: RefProto;
  readonly Float: RefProto;
  readonly Double: RefProto;
  readonly String: RefProto;
  readonly BinBuffer: RefProto & (new (b?: Buffer) => RefBinBuffer);
  List<T>(proto: RefProto): RefList<T>;
  Map<V>(key: RefProto, value: RefProto): RefMap<V>;
  readonly TarsOutputStream: new () => RefOutputStream;
  readonly TarsInputStream: new (b: RefBinBuffer) => RefInputStream;
  readonly Tup: new () => RefTup;
}

/** RequestPacket / ResponsePacket as @tars/rpc declares them (fields named as in RequestF.tars). */
export interface RefRequestPacket extends RefStructValue {
  iVersion: number;
  cPacketType: number;
  iMessageType: number;
  iRequestId: number;
  sServantName: string;
  sFuncName: string;
  sBuffer: RefBinBuffer;
  iTimeout: number;
  context: RefMap<string>;
  status: RefMap<string>;
}

export interface RefResponsePacket extends RefStructValue {
  iVersion: number;
  cPacketType: number;
  iRequestId: number;
  iMessageType: number;
  iRet: number;
  sBuffer: RefBinBuffer;
  status: RefMap<string>;
  sResultDesc: string;
  context: RefMap<string>;
}

export interface RequestFModule {
  readonly tars: {
    readonly RequestPacket: (new () => RefRequestPacket) & RefStructType<RefRequestPacket>;
    readonly ResponsePacket: (new () => RefResponsePacket) & RefStructType<RefResponsePacket>;
  };
}

/** The reference codec, `require('@tars/stream')`. */
export const RefTars = require('@tars/stream') as TarsStreamModule;

/** The reference packet structs, from @tars/rpc's RequestF.js. */
export const RefRequestF = require('@tars/rpc/core/rpc-tars/RequestF.js') as RequestFModule;

/** Encodes with a fresh reference output stream and returns the bytes. */
export function refEncode(write: (os: RefOutputStream) => void): Buffer {
  const os = new RefTars.TarsOutputStream();
  write(os);
  return os.getBinBuffer().toNodeBuffer();
}

/** A reference input stream over `bytes`. */
export function refInput(bytes: Uint8Array): RefInputStream {
  return new RefTars.TarsInputStream(new RefTars.BinBuffer(Buffer.from(bytes)));
}
