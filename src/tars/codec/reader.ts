/**
 * Decodes Tars values from bytes that may be hostile. Every read is bounds-checked, every length is checked
 * against the bytes that remain (and {@link DecodeLimits}) before anything is allocated, nesting is bounded, and
 * every failure is a {@link TarsDecodeError} carrying the offset. Fields are found by moving a cursor forward,
 * so reading a struct's fields in ascending tag order costs O(bytes) in total.
 */
import type { StructReader, ValueReader } from '../contract.js';
import { TarsDecodeError, TarsDecodeErrorCode } from './errors.js';
import { resolveDecodeLimits, type DecodeLimits } from './limits.js';
import { decodeUtf8 } from './utf8.js';
import { WireType } from './wire-type.js';

const TYPE_NAMES = [
  'int8',
  'int16',
  'int32',
  'int64',
  'float',
  'double',
  'string1',
  'string4',
  'map',
  'list',
  'struct-begin',
  'struct-end',
  'zero',
  'simple-list',
];

/**
 * Reads Tars fields from one buffer (a top-level struct body: an argument buffer or a packet).
 * Each `readX(tag, required, def)` moves forward to `tag`: it skips fields with smaller tags, returns `def` when
 * the field is absent and optional, and throws {@link TarsDecodeError} when it is absent and required.
 * Fields must be read in ascending tag order; a tag lower than one already passed reads as absent.
 *
 * @example
 * const r = new TarsReader(bytes);
 * const id = r.readInt32(0, true, 0);
 * const name = r.readString(1, false, '');
 */
export class TarsReader {
  readonly #buf: Buffer;
  readonly #end: number;
  readonly #limits: Readonly<DecodeLimits>;
  #pos = 0;
  #depth = 0;
  /** Wire type of the field the last successful #seek stopped at. */
  #type = 0;

  /** @throws TarsDecodeError (LimitExceeded) when `buf` is larger than `limits.maxBytes`. */
  constructor(buf: Uint8Array, limits?: Partial<DecodeLimits>) {
    this.#limits = resolveDecodeLimits(limits);
    if (buf.length > this.#limits.maxBytes) {
      throw new TarsDecodeError(
        TarsDecodeErrorCode.LimitExceeded,
        `input of ${buf.length} bytes exceeds maxBytes ${this.#limits.maxBytes}`,
        0,
      );
    }
    this.#buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#end = buf.length;
  }

  /** The cursor: bytes consumed so far. */
  get offset(): number {
    return this.#pos;
  }

  /** Bytes after the cursor. */
  get remaining(): number {
    return this.#end - this.#pos;
  }

  /** The limits in force (defaults filled in); pass them on to readers of nested buffers. */
  get limits(): Readonly<DecodeLimits> {
    return this.#limits;
  }

  readBool(tag: number, required: boolean, def: boolean): boolean {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    return this.#int(tag, WireType.Int8, 'bool') !== 0;
  }

  readInt8(tag: number, required: boolean, def: number): number {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    return this.#int(tag, WireType.Int8, 'int8');
  }

  readInt16(tag: number, required: boolean, def: number): number {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    return this.#int(tag, WireType.Int16, 'int16');
  }

  readInt32(tag: number, required: boolean, def: number): number {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    return this.#int(tag, WireType.Int32, 'int32');
  }

  readInt64(tag: number, required: boolean, def: bigint): bigint {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    if (this.#type === WireType.Int64) {
      this.#need(8, tag);
      const v = this.#buf.readBigInt64BE(this.#pos);
      this.#pos += 8;
      return v;
    }
    return BigInt(this.#int(tag, WireType.Int32, 'int64'));
  }

  /** `unsigned byte` (an int16 on the wire); out-of-range values wrap to 0..255 as in TarsCpp. */
  readUInt8(tag: number, required: boolean, def: number): number {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    return this.#int(tag, WireType.Int16, 'unsigned byte') & 0xff;
  }

  /** `unsigned short` (an int32 on the wire); out-of-range values wrap to 0..65535 as in TarsCpp. */
  readUInt16(tag: number, required: boolean, def: number): number {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    return this.#int(tag, WireType.Int32, 'unsigned short') & 0xffff;
  }

  /** `unsigned int` (an int64 on the wire); out-of-range values wrap to 0..2^32-1 as in TarsCpp. */
  readUInt32(tag: number, required: boolean, def: number): number {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    if (this.#type === WireType.Int64) {
      this.#need(8, tag);
      const lo = this.#buf.readUInt32BE(this.#pos + 4);
      this.#pos += 8;
      return lo;
    }
    return this.#int(tag, WireType.Int32, 'unsigned int') >>> 0;
  }

  readFloat(tag: number, required: boolean, def: number): number {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    if (this.#type === WireType.Zero) return 0;
    if (this.#type !== WireType.Float) throw this.#mismatch(tag, 'float');
    this.#need(4, tag);
    const v = this.#buf.readFloatBE(this.#pos);
    this.#pos += 4;
    return v;
  }

  /** `double`; a float field is accepted too. */
  readDouble(tag: number, required: boolean, def: number): number {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    const type = this.#type;
    if (type === WireType.Zero) return 0;
    if (type === WireType.Float) {
      this.#need(4, tag);
      const v = this.#buf.readFloatBE(this.#pos);
      this.#pos += 4;
      return v;
    }
    if (type !== WireType.Double) throw this.#mismatch(tag, 'double');
    this.#need(8, tag);
    const v = this.#buf.readDoubleBE(this.#pos);
    this.#pos += 8;
    return v;
  }

  /** A UTF-8 string; invalid sequences decode to U+FFFD rather than failing (C++ peers send raw bytes). */
  readString(tag: number, required: boolean, def: string): string {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    const buf = this.#buf;
    let len: number;
    if (this.#type === WireType.String1) {
      this.#need(1, tag);
      len = buf[this.#pos++]!;
    } else if (this.#type === WireType.String4) {
      this.#need(4, tag);
      len = buf.readUInt32BE(this.#pos);
      this.#pos += 4;
      this.#checkBytes(len, tag);
    } else {
      throw this.#mismatch(tag, 'string');
    }
    this.#need(len, tag);
    const start = this.#pos;
    this.#pos = start + len;
    return decodeUtf8(buf, start, start + len);
  }

  /** `vector<byte>`, as a simple list (type 13) or, as TarsCpp also accepts, a list of int8. Returns a copy. */
  readBytes(tag: number, required: boolean, def: Uint8Array): Uint8Array {
    if (!this.#seek(tag)) return this.#absent(tag, required, def);
    if (this.#type === WireType.SimpleList) {
      const len = this.#simpleListLength(tag);
      const out = Buffer.allocUnsafe(len);
      this.#buf.copy(out, 0, this.#pos, this.#pos + len);
      this.#pos += len;
      return out;
    }
    if (this.#type !== WireType.List) throw this.#mismatch(tag, 'vector<byte>');
    const n = this.#size(tag, 1);
    this.#checkBytes(n, tag);
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.readInt8(0, true, 0);
    return out;
  }

  /** `vector<T>`; an absent optional list reads as `[]`. */
  readList<T>(tag: number, required: boolean, item: ValueReader<T>): T[] {
    if (!this.#seek(tag)) return this.#absent(tag, required, []);
    if (this.#type !== WireType.List) throw this.#mismatch(tag, 'list');
    this.#enter(tag);
    const n = this.#size(tag, 1);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this, 0, true));
    this.#depth--;
    return out;
  }

  /** `map<K, V>`; an absent optional map reads as an empty Map. A repeated key keeps its last value. */
  readMap<K, V>(tag: number, required: boolean, key: ValueReader<K>, value: ValueReader<V>): Map<K, V> {
    if (!this.#seek(tag)) return this.#absent(tag, required, new Map<K, V>());
    if (this.#type !== WireType.Map) throw this.#mismatch(tag, 'map');
    this.#enter(tag);
    const n = this.#size(tag, 2);
    const out = new Map<K, V>();
    for (let i = 0; i < n; i++) {
      const k = key(this, 0, true);
      out.set(k, value(this, 1, true));
    }
    this.#depth--;
    return out;
  }

  /** A struct field: reads its fields through `fields`, then skips whatever else the struct holds. */
  readStruct<T>(tag: number, required: boolean, fields: StructReader<T>, def: () => T): T {
    if (!this.#seek(tag)) return required ? this.#absent(tag, true, undefined as T) : def();
    if (this.#type !== WireType.StructBegin) throw this.#mismatch(tag, 'struct');
    this.#enter(tag);
    const v = fields(this);
    this.#skipToStructEnd();
    this.#depth--;
    return v;
  }

  /**
   * Skips every remaining field of the current struct: up to the end of the input at top level (validating all of
   * it), or up to, not past, the struct-end head inside a struct.
   */
  skipRest(): void {
    this.#seek(256);
  }

  /** Moves to the field `tag`; false (cursor before the next field or struct end) when it is absent. */
  #seek(tag: number): boolean {
    const buf = this.#buf;
    const end = this.#end;
    let pos = this.#pos;
    while (pos < end) {
      const b = buf[pos]!;
      const type = b & 0x0f;
      let t = b >> 4;
      let next = pos + 1;
      if (t === 15) {
        if (next >= end) throw this.#truncated(pos, 2, undefined);
        t = buf[next]!;
        next++;
      }
      if (type === WireType.StructEnd || t > tag) break;
      this.#pos = next;
      if (t === tag) {
        this.#type = type;
        return true;
      }
      this.#skipValue(type, t);
      pos = this.#pos;
    }
    return false;
  }

  #absent<T>(tag: number, required: boolean, def: T): T {
    if (required) {
      throw new TarsDecodeError(
        TarsDecodeErrorCode.RequiredMissing,
        'required field is absent',
        this.#pos,
        tag,
      );
    }
    return def;
  }

  /** The integer payload of the field at the cursor, accepting type 12 and every int type up to `widest`. */
  #int(tag: number, widest: number, what: string): number {
    const type = this.#type;
    if (type === WireType.Zero) return 0;
    if (type > widest) throw this.#mismatch(tag, what);
    const buf = this.#buf;
    const p = this.#pos;
    switch (type) {
      case WireType.Int8:
        this.#need(1, tag);
        this.#pos = p + 1;
        return (buf[p]! << 24) >> 24;
      case WireType.Int16:
        this.#need(2, tag);
        this.#pos = p + 2;
        return (((buf[p]! << 8) | buf[p + 1]!) << 16) >> 16;
      default:
        this.#need(4, tag);
        this.#pos = p + 4;
        return (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
    }
  }

  /** Reads a collection size (an int at tag 0) and checks it against limits and the remaining bytes. */
  #size(tag: number, minBytesPerItem: number): number {
    const at = this.#pos;
    const n = this.readInt32(0, true, 0);
    if (n < 0) {
      throw new TarsDecodeError(TarsDecodeErrorCode.InvalidLength, `negative size ${n}`, at, tag);
    }
    if (n > this.#limits.maxCollectionLength) {
      throw new TarsDecodeError(
        TarsDecodeErrorCode.LimitExceeded,
        `size ${n} exceeds maxCollectionLength ${this.#limits.maxCollectionLength}`,
        at,
        tag,
      );
    }
    if (n * minBytesPerItem > this.#end - this.#pos) {
      throw new TarsDecodeError(
        TarsDecodeErrorCode.InvalidLength,
        `size ${n} is larger than the ${this.#end - this.#pos} bytes left`,
        at,
        tag,
      );
    }
    return n;
  }

  /** After a type-13 head: the 0x00 element head and the byte count, checked; the cursor is left on the bytes. */
  #simpleListLength(tag: number | undefined): number {
    const at = this.#pos;
    // Only the element type matters (the reference writes 0x00 and checks nothing else).
    this.#head();
    if (this.#type !== WireType.Int8) {
      throw new TarsDecodeError(
        TarsDecodeErrorCode.TypeMismatch,
        `simple list element type ${TYPE_NAMES[this.#type] ?? this.#type}, expected int8`,
        at,
        tag,
      );
    }
    const len = this.readInt32(0, true, 0);
    if (len < 0)
      throw new TarsDecodeError(TarsDecodeErrorCode.InvalidLength, `negative length ${len}`, at, tag);
    this.#checkBytes(len, tag);
    this.#need(len, tag);
    return len;
  }

  #checkBytes(len: number, tag: number | undefined): void {
    if (len > this.#limits.maxStringBytes) {
      throw new TarsDecodeError(
        TarsDecodeErrorCode.LimitExceeded,
        `length ${len} exceeds maxStringBytes ${this.#limits.maxStringBytes}`,
        this.#pos,
        tag,
      );
    }
  }

  /** Skips the payload of a field of `type` whose head was just consumed. */
  #skipValue(type: number, tag: number | undefined): void {
    switch (type) {
      case WireType.Int8:
        return this.#skip(1, tag);
      case WireType.Int16:
        return this.#skip(2, tag);
      case WireType.Int32:
      case WireType.Float:
        return this.#skip(4, tag);
      case WireType.Int64:
      case WireType.Double:
        return this.#skip(8, tag);
      case WireType.String1: {
        this.#need(1, tag);
        const len = this.#buf[this.#pos++]!;
        return this.#skip(len, tag);
      }
      case WireType.String4: {
        this.#need(4, tag);
        const len = this.#buf.readUInt32BE(this.#pos);
        this.#pos += 4;
        return this.#skip(len, tag);
      }
      case WireType.Map:
      case WireType.List: {
        this.#enter(tag);
        const n = this.#size(tag ?? 0, type === WireType.Map ? 2 : 1) * (type === WireType.Map ? 2 : 1);
        for (let i = 0; i < n; i++) this.#skipElement();
        this.#depth--;
        return;
      }
      case WireType.StructBegin:
        this.#enter(tag);
        this.#skipToStructEnd();
        this.#depth--;
        return;
      case WireType.Zero:
        return;
      case WireType.SimpleList:
        return this.#skip(this.#simpleListLength(tag), tag);
      default:
        throw new TarsDecodeError(
          TarsDecodeErrorCode.InvalidType,
          `unexpected wire type ${TYPE_NAMES[type] ?? type}`,
          this.#pos,
          tag,
        );
    }
  }

  /** Skips one list element or map key/value: a head of any tag and its payload (a struct end is not one). */
  #skipElement(): void {
    const t = this.#head();
    this.#skipValue(this.#type, t);
  }

  #skipToStructEnd(): void {
    for (;;) {
      const t = this.#head();
      if (this.#type === WireType.StructEnd) return;
      this.#skipValue(this.#type, t);
    }
  }

  /** Consumes a head, sets #type and returns the tag. */
  #head(): number {
    this.#need(1, undefined);
    const b = this.#buf[this.#pos++]!;
    this.#type = b & 0x0f;
    if (b >> 4 !== 15) return b >> 4;
    this.#need(1, undefined);
    return this.#buf[this.#pos++]!;
  }

  #skip(n: number, tag: number | undefined): void {
    this.#need(n, tag);
    this.#pos += n;
  }

  #need(n: number, tag: number | undefined): void {
    if (this.#pos + n > this.#end) throw this.#truncated(this.#pos, n, tag);
  }

  #enter(tag: number | undefined): void {
    if (++this.#depth > this.#limits.maxDepth) {
      throw new TarsDecodeError(
        TarsDecodeErrorCode.LimitExceeded,
        `nesting deeper than maxDepth ${this.#limits.maxDepth}`,
        this.#pos,
        tag,
      );
    }
  }

  #truncated(at: number, n: number, tag: number | undefined): TarsDecodeError {
    return new TarsDecodeError(
      TarsDecodeErrorCode.Truncated,
      `truncated input: need ${n} bytes, ${Math.max(0, this.#end - at)} left`,
      at,
      tag,
    );
  }

  #mismatch(tag: number, expected: string): TarsDecodeError {
    return new TarsDecodeError(
      TarsDecodeErrorCode.TypeMismatch,
      `expected ${expected}, found wire type ${TYPE_NAMES[this.#type] ?? this.#type}`,
      this.#pos,
      tag,
    );
  }
}
