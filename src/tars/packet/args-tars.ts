/**
 * Arguments of a version 1 (TARS) packet: one buffer in which argument i sits at tag i (the return value of a
 * reply at tag 0). Names are ignored.
 */
import type { ArgReader, ArgWriter, ValueReader, ValueWriter } from '../contract.js';
import type { DecodeLimits } from '../codec/limits.js';
import { TarsReader } from '../codec/reader.js';
import { TarsWriter } from '../codec/writer.js';

/** Writes arguments positionally; `toBytes()` gives the packet's `sBuffer`. */
export class TarsArgWriter implements ArgWriter {
  readonly #w: TarsWriter;

  /** @param writer a writer to reuse (it is reset); a new one by default. */
  constructor(writer: TarsWriter = new TarsWriter()) {
    writer.reset();
    this.#w = writer;
  }

  /** `_name` and `_typeName` are not on the wire in version 1. */
  write<T>(tag: number, _name: string, v: T, writer: ValueWriter<T>, _typeName?: string): void {
    writer(this.#w, tag, v);
  }

  /** The `sBuffer` holding every argument written so far. */
  toBytes(): Uint8Array {
    return this.#w.toBytes();
  }
}

/**
 * Reads positional arguments from an `sBuffer`. Reading in ascending tag order is one pass; asking for a lower
 * tag than the last one starts over from the beginning, so any order works.
 */
export class TarsArgReader implements ArgReader {
  readonly #buf: Uint8Array;
  readonly #limits: Partial<DecodeLimits> | undefined;
  #r: TarsReader;
  #lastTag = -1;

  constructor(sBuffer: Uint8Array, limits?: Partial<DecodeLimits>) {
    this.#buf = sBuffer;
    this.#r = new TarsReader(sBuffer, limits);
    this.#limits = this.#r.limits;
  }

  /** @throws TarsDecodeError when the argument is absent or malformed. */
  read<T>(tag: number, _name: string, reader: ValueReader<T>): T {
    if (tag <= this.#lastTag) this.#r = new TarsReader(this.#buf, this.#limits);
    this.#lastTag = tag;
    return reader(this.#r, tag, true);
  }
}
