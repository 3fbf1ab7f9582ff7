/**
 * Encodes Tars values into one growable buffer. Fields go straight into the buffer (no per-field allocation);
 * the buffer doubles when full and is kept across {@link TarsWriter.reset}, so a reused writer stops allocating
 * once it has seen its largest message. Output is byte-identical to @tars/stream for the same values.
 */
import type { StructWriter, ValueWriter } from '../contract.js';
import { TarsEncodeError, TarsEncodeErrorCode } from './errors.js';
import { encodeUtf8Into } from './utf8.js';
import { WireType } from './wire-type.js';

const TWO_32 = 4294967296;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Nesting deeper than this while writing is a cycle or a runaway value, not data. */
const MAX_WRITE_DEPTH = 256;

/**
 * Writes Tars fields. Every method takes the field tag (0..255) first and throws {@link TarsEncodeError} for a bad
 * tag or a value outside its type's range, before writing anything for that field.
 *
 * @example
 * const w = new TarsWriter();
 * w.writeInt32(0, 42);
 * w.writeString(1, 'x');
 * const bytes = w.toBytes();
 */
export class TarsWriter {
  #buf: Buffer;
  #pos = 0;
  #depth = 0;

  /** @param initialCapacity starting buffer size in bytes (default 256); it grows as needed. */
  constructor(initialCapacity = 256) {
    this.#buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  /** Forgets what was written but keeps the buffer, so the next message reuses its capacity. */
  reset(): void {
    this.#pos = 0;
    this.#depth = 0;
  }

  /** A copy of the bytes written so far; the writer stays usable. */
  toBytes(): Uint8Array {
    const out = Buffer.allocUnsafe(this.#pos);
    this.#buf.copy(out, 0, 0, this.#pos);
    return out;
  }

  /** The bytes written so far without copying; valid only until the next write or {@link reset}. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /**
   * A copy of the bytes written so far prefixed by their total length as a 4-byte big-endian integer that counts
   * itself: the Tars TCP frame of a packet.
   */
  toFramedBytes(): Uint8Array {
    const n = this.#pos + 4;
    const out = Buffer.allocUnsafe(n);
    out.writeUInt32BE(n, 0);
    this.#buf.copy(out, 4, 0, this.#pos);
    return out;
  }

  writeBool(tag: number, v: boolean): void {
    if (v) {
      this.#head(tag, WireType.Int8, 1);
      this.#buf[this.#pos++] = 1;
    } else {
      this.#head(tag, WireType.Zero, 0);
    }
  }

  writeInt8(tag: number, v: number): void {
    if ((v << 24) >> 24 !== v) throw outOfRange(tag, 'int8', v);
    this.#int(tag, v);
  }

  writeInt16(tag: number, v: number): void {
    if ((v << 16) >> 16 !== v) throw outOfRange(tag, 'int16', v);
    this.#int(tag, v);
  }

  writeInt32(tag: number, v: number): void {
    if ((v | 0) !== v) throw outOfRange(tag, 'int32', v);
    this.#int(tag, v);
  }

  /** `long`: a bigint in -2^63..2^63-1, written in the narrowest integer type that holds it. */
  writeInt64(tag: number, v: bigint): void {
    if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) throw outOfRange(tag, 'int64', v);
    if (v >= -2147483648n && v <= 2147483647n) {
      this.#int(tag, Number(v));
      return;
    }
    this.#head(tag, WireType.Int64, 8);
    this.#int64Payload(Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asUintN(32, v)));
  }

  /** `unsigned byte` (0..255), written as an int16 field as the spec requires. */
  writeUInt8(tag: number, v: number): void {
    if ((v & 0xff) !== v) throw outOfRange(tag, 'unsigned byte', v);
    this.#int(tag, v);
  }

  /** `unsigned short` (0..65535), written as an int32 field. */
  writeUInt16(tag: number, v: number): void {
    if ((v & 0xffff) !== v) throw outOfRange(tag, 'unsigned short', v);
    this.#int(tag, v);
  }

  /** `unsigned int` (0..2^32-1), written as an int64 field. */
  writeUInt32(tag: number, v: number): void {
    if (v >>> 0 !== v) throw outOfRange(tag, 'unsigned int', v);
    if (v <= 0x7fffffff) {
      this.#int(tag, v);
      return;
    }
    this.#head(tag, WireType.Int64, 8);
    this.#int64Payload(0, v);
  }

  writeFloat(tag: number, v: number): void {
    if (typeof v !== 'number') throw outOfRange(tag, 'float', v);
    if (v === 0) {
      this.#head(tag, WireType.Zero, 0);
      return;
    }
    this.#head(tag, WireType.Float, 4);
    this.#pos = this.#buf.writeFloatBE(v, this.#pos);
  }

  writeDouble(tag: number, v: number): void {
    if (typeof v !== 'number') throw outOfRange(tag, 'double', v);
    if (v === 0) {
      this.#head(tag, WireType.Zero, 0);
      return;
    }
    this.#head(tag, WireType.Double, 8);
    this.#pos = this.#buf.writeDoubleBE(v, this.#pos);
  }

  /** A UTF-8 string: type 6 (1-byte length) up to 255 bytes, type 7 (4-byte length) above. */
  writeString(tag: number, v: string): void {
    if (typeof v !== 'string') throw outOfRange(tag, 'string', v);
    const n = v.length;
    // The byte length is only computed when the UTF-16 length leaves the head type open (86..255 units).
    const long = n > 255 || (n > 85 && Buffer.byteLength(v, 'utf8') > 255);
    this.#head(tag, long ? WireType.String4 : WireType.String1, 4 + 3 * n);
    const buf = this.#buf;
    if (long) {
      const end = encodeUtf8Into(buf, this.#pos + 4, v);
      buf.writeUInt32BE(end - this.#pos - 4, this.#pos);
      this.#pos = end;
    } else {
      const end = encodeUtf8Into(buf, this.#pos + 1, v);
      buf[this.#pos] = end - this.#pos - 1;
      this.#pos = end;
    }
  }

  /** `vector<byte>`: type 13, a 0x00 head, the length as an int at tag 0, then the raw bytes. */
  writeBytes(tag: number, v: Uint8Array): void {
    if (!(v instanceof Uint8Array)) throw outOfRange(tag, 'vector<byte>', v);
    const n = v.length;
    this.#head(tag, WireType.SimpleList, 7 + n);
    this.#buf[this.#pos++] = 0x00;
    this.#int(0, n);
    this.#buf.set(v, this.#pos);
    this.#pos += n;
  }

  /** `vector<T>`: the size at tag 0, then each element at tag 0 through `item`. */
  writeList<T>(tag: number, v: readonly T[], item: ValueWriter<T>): void {
    this.#head(tag, WireType.List, 0);
    this.#enter(tag);
    const n = v.length;
    this.#int(0, n);
    for (let i = 0; i < n; i++) item(this, 0, v[i] as T);
    this.#depth--;
  }

  /** `map<K, V>`: the size at tag 0, then each key at tag 0 and value at tag 1, in the map's iteration order. */
  writeMap<K, V>(tag: number, v: ReadonlyMap<K, V>, key: ValueWriter<K>, value: ValueWriter<V>): void {
    this.#head(tag, WireType.Map, 0);
    this.#enter(tag);
    this.#int(0, v.size);
    for (const [k, val] of v) {
      key(this, 0, k);
      value(this, 1, val);
    }
    this.#depth--;
  }

  /** A struct as a field: struct-begin head, its fields through `fields`, then the struct-end head 0x0b. */
  writeStruct<T>(tag: number, v: T, fields: StructWriter<T>): void {
    this.#head(tag, WireType.StructBegin, 0);
    this.#enter(tag);
    fields(this, v);
    this.#depth--;
    this.#reserve(1);
    this.#buf[this.#pos++] = 0x0b;
  }

  /** Appends bytes verbatim (an already encoded field or struct body). */
  writeRaw(v: Uint8Array): void {
    this.#reserve(v.length);
    this.#buf.set(v, this.#pos);
    this.#pos += v.length;
  }

  /** Writes the head for `tag`/`type` and makes room for `payload` more bytes. */
  #head(tag: number, type: number, payload: number): void {
    if (this.#pos + payload + 2 > this.#buf.length) this.#grow(payload + 2);
    const buf = this.#buf;
    if (tag < 15 && tag >= 0 && (tag | 0) === tag) {
      buf[this.#pos++] = (tag << 4) | type;
    } else if (tag <= 255 && (tag | 0) === tag && tag >= 0) {
      buf[this.#pos++] = 0xf0 | type;
      buf[this.#pos++] = tag;
    } else {
      throw new TarsEncodeError(
        TarsEncodeErrorCode.BadTag,
        `tag must be an integer in 0..255, got ${String(tag)}`,
      );
    }
  }

  /** An integer known to fit int32, in the narrowest type (0 as type 12). */
  #int(tag: number, v: number): void {
    if (v === 0) {
      this.#head(tag, WireType.Zero, 0);
      return;
    }
    // #head may replace the buffer, so it is fetched after.
    if (v >= -128 && v <= 127) {
      this.#head(tag, WireType.Int8, 1);
      this.#buf[this.#pos++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      this.#head(tag, WireType.Int16, 2);
      const buf = this.#buf;
      buf[this.#pos++] = (v >> 8) & 0xff;
      buf[this.#pos++] = v & 0xff;
    } else if (v >= -2147483648 && v <= 2147483647) {
      this.#head(tag, WireType.Int32, 4);
      const buf = this.#buf;
      const p = this.#pos;
      buf[p] = (v >>> 24) & 0xff;
      buf[p + 1] = (v >> 16) & 0xff;
      buf[p + 2] = (v >> 8) & 0xff;
      buf[p + 3] = v & 0xff;
      this.#pos = p + 4;
    } else {
      // Only reached for unsigned values above 2^31 (callers check ranges): an int64 with a zero high word.
      this.#head(tag, WireType.Int64, 8);
      this.#int64Payload(Math.floor(v / TWO_32), v >>> 0);
    }
  }

  #int64Payload(hi: number, lo: number): void {
    const buf = this.#buf;
    const p = this.#pos;
    buf[p] = (hi >>> 24) & 0xff;
    buf[p + 1] = (hi >> 16) & 0xff;
    buf[p + 2] = (hi >> 8) & 0xff;
    buf[p + 3] = hi & 0xff;
    buf[p + 4] = (lo >>> 24) & 0xff;
    buf[p + 5] = (lo >> 16) & 0xff;
    buf[p + 6] = (lo >> 8) & 0xff;
    buf[p + 7] = lo & 0xff;
    this.#pos = p + 8;
  }

  #enter(tag: number): void {
    if (++this.#depth > MAX_WRITE_DEPTH) {
      this.#depth = 0;
      throw new TarsEncodeError(
        TarsEncodeErrorCode.TooDeep,
        `values nested deeper than ${MAX_WRITE_DEPTH} (a cycle?)`,
        tag,
      );
    }
  }

  #reserve(n: number): void {
    if (this.#pos + n > this.#buf.length) this.#grow(n);
  }

  #grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }
}

function outOfRange(tag: number, type: string, v: unknown): TarsEncodeError {
  const shown = typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v);
  return new TarsEncodeError(TarsEncodeErrorCode.OutOfRange, `value ${shown} is not a valid ${type}`, tag);
}
