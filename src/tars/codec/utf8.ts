/**
 * UTF-8 for Tars strings. Most are a few bytes (names, keys, ids), where a call into Buffer's native codec costs
 * more than the work, so short ones are done in JS; longer ones go native, through the raw `utf8Write` /
 * `utf8Slice` methods Buffer itself uses when they exist, skipping `write`/`toString` argument handling.
 * Strings that were not valid UTF-8 are counted process-wide, so lossy decoding always leaves a trace.
 */
import { isUtf8 } from 'node:buffer';

/** Below this many UTF-16 units (encode) or bytes (decode), the JS loop beats the native call. */
const SHORT = 32;

let invalidUtf8 = 0;

interface NativeUtf8 {
  utf8Write(s: string, offset: number): number;
  utf8Slice(start: number, end: number): string;
}
const proto = Buffer.prototype as Partial<NativeUtf8>;
const hasNative = typeof proto.utf8Write === 'function' && typeof proto.utf8Slice === 'function';

function nativeWrite(buf: Buffer, pos: number, s: string): number {
  return hasNative ? (buf as unknown as NativeUtf8).utf8Write(s, pos) : buf.write(s, pos, 'utf8');
}

function nativeSlice(buf: Buffer, start: number, end: number): string {
  return hasNative ? (buf as unknown as NativeUtf8).utf8Slice(start, end) : buf.toString('utf8', start, end);
}

/**
 * Writes `s` as UTF-8 at `pos` and returns the end position. The caller must have reserved `3 * s.length` bytes.
 * Lone surrogates become U+FFFD, as Buffer does.
 */
export function encodeUtf8Into(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n > SHORT) return pos + nativeWrite(buf, pos, s);
  let p = pos;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          buf[p++] = 0xf0 | (cp >> 18);
          buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
          buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
          buf[p++] = 0x80 | (cp & 0x3f);
          i++;
          continue;
        }
        c = 0xfffd;
      }
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/**
 * Decodes bytes `start..end` of `buf` as UTF-8; invalid sequences become U+FFFD (lenient, like every Tars peer)
 * and the string is counted in {@link invalidUtf8Count}.
 */
export function decodeUtf8(buf: Buffer, start: number, end: number): string {
  if (end - start > SHORT) return checked(nativeSlice(buf, start, end), buf, start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return checked(nativeSlice(buf, start, end), buf, start, end);
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Counts `s` when its bytes were not valid UTF-8. Only a decoded U+FFFD can mean a replacement (a scan cheaper
 * than validating); the bytes then tell a genuine U+FFFD from a lost sequence. ASCII never gets here.
 */
function checked(s: string, buf: Buffer, start: number, end: number): string {
  if (s.indexOf('\ufffd') !== -1 && !isUtf8(buf.subarray(start, end))) invalidUtf8++;
  return s;
}

/**
 * How many `string` values this process decoded (`TarsReader.readString`) from bytes that were not valid UTF-8,
 * each of them with U+FFFD in place of the bad sequences. Read it before and after a decode to attribute it;
 * `TarsServer` does so per servant and logs the first one of each.
 */
export function invalidUtf8Count(): number {
  return invalidUtf8;
}
