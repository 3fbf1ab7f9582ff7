/**
 * Ready-made element codecs (a {@link ValueWriter} and {@link ValueReader} pair per IDL type), for list items,
 * map keys/values and RPC arguments written by hand rather than by generated code.
 *
 * @example
 * const names = TarsValues.list(TarsValues.string);
 * w.writeList(3, ['a', 'b'], TarsValues.string.write);
 * args.write(1, 'names', ['a'], names.write);
 */
import type { TarsStructType, ValueReader, ValueWriter } from '../contract.js';

/** How to write and read one value of an IDL type. */
export interface TarsValueCodec<T> {
  readonly write: ValueWriter<T>;
  readonly read: ValueReader<T>;
  /**
   * The Tars type name TUP version 2 records with the value, spelled as @tars/stream does: `bool`, `char`,
   * `short`, `int32`, `int64`, `float`, `double`, `string`, `list<char>` (bytes), `List<T>`, `map<K,V>`,
   * `Module.Struct`. Unsigned types carry the name of the wider type they travel as.
   */
  readonly typeName: string;
}

/** The codecs of {@link TarsValues}. */
export interface TarsValuesApi {
  readonly bool: TarsValueCodec<boolean>;
  readonly int8: TarsValueCodec<number>;
  readonly int16: TarsValueCodec<number>;
  readonly int32: TarsValueCodec<number>;
  readonly int64: TarsValueCodec<bigint>;
  readonly uint8: TarsValueCodec<number>;
  readonly uint16: TarsValueCodec<number>;
  readonly uint32: TarsValueCodec<number>;
  readonly float: TarsValueCodec<number>;
  readonly double: TarsValueCodec<number>;
  readonly string: TarsValueCodec<string>;
  readonly bytes: TarsValueCodec<Uint8Array>;
  /** A `string` field holding raw bytes (binary strings): read and written byte for byte, no UTF-8. */
  readonly binaryString: TarsValueCodec<Uint8Array>;
  list<T>(item: TarsValueCodec<T>): TarsValueCodec<T[]>;
  map<K, V>(key: TarsValueCodec<K>, value: TarsValueCodec<V>): TarsValueCodec<Map<K, V>>;
  struct<T>(type: TarsStructType<T>): TarsValueCodec<T>;
}

const EMPTY_BYTES = new Uint8Array(0);

/**
 * The element codec of every IDL type, for hand-written calls and containers:
 * `args.write(1, 'ids', ids, TarsValues.list(TarsValues.int64).write, TarsValues.list(TarsValues.int64).typeName)`.
 */
export const TarsValues: TarsValuesApi = {
  bool: {
    write: (w, t, v) => w.writeBool(t, v),
    read: (r, t, q) => r.readBool(t, q, false),
    typeName: 'bool',
  },
  int8: { write: (w, t, v) => w.writeInt8(t, v), read: (r, t, q) => r.readInt8(t, q, 0), typeName: 'char' },
  int16: {
    write: (w, t, v) => w.writeInt16(t, v),
    read: (r, t, q) => r.readInt16(t, q, 0),
    typeName: 'short',
  },
  int32: {
    write: (w, t, v) => w.writeInt32(t, v),
    read: (r, t, q) => r.readInt32(t, q, 0),
    typeName: 'int32',
  },
  int64: {
    write: (w, t, v) => w.writeInt64(t, v),
    read: (r, t, q) => r.readInt64(t, q, 0n),
    typeName: 'int64',
  },
  uint8: {
    write: (w, t, v) => w.writeUInt8(t, v),
    read: (r, t, q) => r.readUInt8(t, q, 0),
    typeName: 'short',
  },
  uint16: {
    write: (w, t, v) => w.writeUInt16(t, v),
    read: (r, t, q) => r.readUInt16(t, q, 0),
    typeName: 'int32',
  },
  uint32: {
    write: (w, t, v) => w.writeUInt32(t, v),
    read: (r, t, q) => r.readUInt32(t, q, 0),
    typeName: 'int64',
  },
  float: {
    write: (w, t, v) => w.writeFloat(t, v),
    read: (r, t, q) => r.readFloat(t, q, 0),
    typeName: 'float',
  },
  double: {
    write: (w, t, v) => w.writeDouble(t, v),
    read: (r, t, q) => r.readDouble(t, q, 0),
    typeName: 'double',
  },
  string: {
    write: (w, t, v) => w.writeString(t, v),
    read: (r, t, q) => r.readString(t, q, ''),
    typeName: 'string',
  },
  bytes: {
    write: (w, t, v) => w.writeBytes(t, v),
    read: (r, t, q) => r.readBytes(t, q, EMPTY_BYTES),
    typeName: 'list<char>',
  },
  binaryString: {
    write: (w, t, v) => w.writeStringBytes(t, v),
    read: (r, t, q) => r.readStringBytes(t, q, EMPTY_BYTES),
    typeName: 'string',
  },

  /** `vector<T>`. */
  list<T>(item: TarsValueCodec<T>): TarsValueCodec<T[]> {
    return {
      write: (w, t, v) => w.writeList(t, v, item.write),
      read: (r, t, q) => r.readList(t, q, item.read),
      typeName: `List<${item.typeName}>`,
    };
  },

  /** `map<K, V>` as a JS Map. */
  map<K, V>(key: TarsValueCodec<K>, value: TarsValueCodec<V>): TarsValueCodec<Map<K, V>> {
    return {
      write: (w, t, v) => w.writeMap(t, v, key.write, value.write),
      read: (r, t, q) => r.readMap(t, q, key.read, value.read),
      typeName: `map<${key.typeName},${value.typeName}>`,
    };
  },

  /** A struct type emitted by tars2ts. */
  struct<T>(type: TarsStructType<T>): TarsValueCodec<T> {
    return {
      write: (w, t, v) => w.writeStruct(t, v, type.write),
      read: (r, t, q) => r.readStruct(t, q, type.read, type.create),
      typeName: type.name,
    };
  },
};
