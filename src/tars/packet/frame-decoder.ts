/**
 * Splits a TCP byte stream into Tars packets. Each packet is a 4-byte big-endian length that counts itself, then
 * the packet's fields. A chunk may hold several packets and a packet may span chunks; partial data is kept as the
 * chunks themselves and joined once, so memory grows only with the bytes actually received.
 */
import { TarsDecodeError, TarsDecodeErrorCode } from '../codec/errors.js';

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Largest accepted packet, length prefix included, in bytes. Default 10 MiB. */
  maxFrameBytes?: number;
}

/** The default {@link FrameDecoderOptions.maxFrameBytes}. */
export const DEFAULT_MAX_FRAME_BYTES = 10 * 1024 * 1024;

/**
 * Accumulates chunks and yields complete packet bodies (the bytes after the length prefix), ready for
 * `decodeRequestPacket` / `decodeResponsePacket`. Bodies may share memory with the chunks passed in, so chunks
 * must not be modified afterwards (socket chunks never are).
 *
 * @example
 * const frames = new FrameDecoder();
 * socket.on('data', (chunk) => {
 *   for (const body of frames.push(chunk)) onPacket(decodeResponsePacket(body));
 * });
 */
export class FrameDecoder {
  readonly #max: number;
  /** Chunks (or their tails) of the packet in progress, oldest first. */
  #parts: Buffer[] = [];
  #buffered = 0;
  /** Total length of the packet in progress, once its 4-byte prefix has arrived; 0 before. */
  #need = 0;

  /** @throws RangeError when `maxFrameBytes` is not an integer of at least 4. */
  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isSafeInteger(max) || max < 4) {
      throw new RangeError(`maxFrameBytes must be an integer >= 4, got ${String(max)}`);
    }
    this.#max = max;
  }

  /** Bytes received that do not form a complete packet yet. */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * Adds a chunk and returns the packet bodies it completes, in order (often none or one), appended to `out`.
   * @throws TarsDecodeError (`TARS_BAD_FRAME_LENGTH`) for a length below 4 or above the maximum; the stream is
   * then unusable and the connection should be closed. The packets of the chunk that came before the bad length
   * are in `out` by then, so a server can still answer them.
   */
  push(chunk: Uint8Array, out: Uint8Array[] = []): Uint8Array[] {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#buffered > 0) {
      // Finish the packet in progress first.
      const head = this.#buffered < 4 ? 4 - this.#buffered : 0;
      if (head > 0) {
        const take = Math.min(head, buf.length);
        this.#keep(buf.subarray(0, take));
        buf = buf.subarray(take);
        if (this.#buffered < 4) return out;
        this.#setNeed(Buffer.concat(this.#parts, 4).readUInt32BE(0));
      }
      const rest = this.#need - this.#buffered;
      if (buf.length < rest) {
        this.#keep(buf);
        return out;
      }
      this.#keep(buf.subarray(0, rest));
      out.push(Buffer.concat(this.#parts, this.#need).subarray(4));
      this.#parts = [];
      this.#buffered = 0;
      this.#need = 0;
      buf = buf.subarray(rest);
    }
    // Whole packets inside the chunk are returned as views, without copying.
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      this.#check(len);
      if (buf.length - off < len) break;
      out.push(buf.subarray(off + 4, off + len));
      off += len;
    }
    if (off < buf.length) {
      this.#keep(buf.subarray(off));
      if (this.#buffered >= 4) this.#setNeed(buf.readUInt32BE(off));
    }
    return out;
  }

  /** Drops any partial packet (after a reconnect, say). */
  reset(): void {
    this.#parts = [];
    this.#buffered = 0;
    this.#need = 0;
  }

  #keep(part: Buffer): void {
    if (part.length === 0) return;
    this.#parts.push(part);
    this.#buffered += part.length;
  }

  #setNeed(len: number): void {
    this.#check(len);
    this.#need = len;
  }

  #check(len: number): void {
    if (len < 4 || len > this.#max) {
      this.reset();
      throw new TarsDecodeError(
        TarsDecodeErrorCode.BadFrameLength,
        `packet length ${len} outside 4..${this.#max}`,
        0,
      );
    }
  }
}
