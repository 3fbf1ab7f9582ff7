/**
 * Arguments of a TUP packet. Version 3 (simple): `sBuffer` is a map<string, vector<byte>> at tag 0 from argument
 * name to the value encoded alone at tag 0; a reply holds the return value under "" and out-parameters by name.
 * Version 2 (complex) nests one more map keyed by type name; it is read here (type names are not checked) but
 * not written, because element writers carry no type names.
 */
import type { ArgReader, ArgWriter, ValueReader, ValueWriter } from '../contract.js';
import { TarsDecodeError, TarsDecodeErrorCode } from '../codec/errors.js';
import type { DecodeLimits } from '../codec/limits.js';
import { TarsReader } from '../codec/reader.js';
import { TarsValues } from '../codec/values.js';
import { TarsWriter } from '../codec/writer.js';
import { TarsVersion } from './constants.js';

const S = TarsValues.string;
const B = TarsValues.bytes;
const COMPLEX = TarsValues.map(S, B);

/** Writes named arguments (TUP simple); `toBytes()` gives the packet's `sBuffer`. */
export class TupArgWriter implements ArgWriter {
  readonly #values = new Map<string, Uint8Array>();
  readonly #w: TarsWriter;

  /** @param writer a writer to reuse for the values (it is reset); a new one by default. */
  constructor(writer: TarsWriter = new TarsWriter()) {
    this.#w = writer;
  }

  write<T>(_tag: number, name: string, v: T, writer: ValueWriter<T>): void {
    this.#w.reset();
    writer(this.#w, 0, v);
    this.#values.set(name, this.#w.toBytes());
  }

  /** The `sBuffer`: the map of every argument written so far, in writing order. */
  toBytes(): Uint8Array {
    this.#w.reset();
    this.#w.writeMap(0, this.#values, S.write, B.write);
    return this.#w.toBytes();
  }
}

/** Reads named arguments from a TUP `sBuffer` (version 3, or 2 with `version`). */
export class TupArgReader implements ArgReader {
  readonly #values: Map<string, Uint8Array>;
  readonly #limits: Readonly<DecodeLimits>;

  /** @throws TarsDecodeError when `sBuffer` is not a TUP argument map. */
  constructor(sBuffer: Uint8Array, limits?: Partial<DecodeLimits>, version: number = TarsVersion.TupSimple) {
    const r = new TarsReader(sBuffer, limits);
    this.#limits = r.limits;
    if (version === TarsVersion.TupComplex) {
      this.#values = new Map();
      for (const [name, byType] of r.readMap(0, true, S.read, COMPLEX.read)) {
        const first = byType.values().next();
        if (!first.done) this.#values.set(name, first.value);
      }
    } else {
      this.#values = r.readMap(0, true, S.read, B.read);
    }
  }

  /** Argument names present, in wire order. */
  names(): string[] {
    return [...this.#values.keys()];
  }

  /** @throws TarsDecodeError when the argument is absent or malformed. */
  read<T>(_tag: number, name: string, reader: ValueReader<T>): T {
    const bytes = this.#values.get(name);
    if (bytes === undefined) {
      throw new TarsDecodeError(TarsDecodeErrorCode.RequiredMissing, `TUP argument "${name}" is absent`, 0);
    }
    return reader(new TarsReader(bytes, this.#limits), 0, true);
  }
}
