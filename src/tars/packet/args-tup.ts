/**
 * Arguments of a TUP packet (the UniAttribute of TarsCpp and @tars/stream). Version 3 (simple): `sBuffer` is a
 * map<string, vector<byte>> at tag 0 from argument name to the value encoded alone at tag 0. Version 2 (complex)
 * nests one more map, map<string, map<string, vector<byte>>>, whose single key is the value's Tars type name
 * (`int32`, `List<string>`, `Module.Struct`, as `TarsValueCodec.typeName` spells them). A reply holds the return value under "" and
 * out-parameters by name.
 */
import type { ArgReader, ArgWriter, ValueReader, ValueWriter } from '../contract.js';
import {
  TarsDecodeError,
  TarsDecodeErrorCode,
  TarsEncodeError,
  TarsEncodeErrorCode,
} from '../codec/errors.js';
import type { DecodeLimits } from '../codec/limits.js';
import { TarsReader } from '../codec/reader.js';
import { TarsValues } from '../codec/values.js';
import { TarsWriter } from '../codec/writer.js';
import { TarsVersion } from './constants.js';

const S = TarsValues.string;
const B = TarsValues.bytes;
const BY_TYPE = TarsValues.map(S, B);

/** The TUP versions, 2 (complex, with type names) and 3 (simple). */
export type TupVersion = typeof TarsVersion.TupComplex | typeof TarsVersion.TupSimple;

/**
 * Writes named arguments (TUP simple or complex); `toBytes()` gives the packet's `sBuffer`. Version 2 needs the
 * type name of every value (the 5th argument of `write`): generated code always passes it.
 *
 * @example
 * const args = new TupArgWriter(undefined, TarsVersion.TupComplex);
 * args.write(1, 'name', 'ann', TarsValues.string.write, TarsValues.string.typeName);
 */
export class TupArgWriter implements ArgWriter {
  readonly #values = new Map<string, Uint8Array>();
  readonly #types = new Map<string, string>();
  readonly #w: TarsWriter;
  readonly #complex: boolean;

  /**
   * @param writer a writer to reuse for the values (it is reset); a new one by default.
   * @param version 3 (TUP simple, the default) or 2 (TUP complex).
   */
  constructor(writer: TarsWriter = new TarsWriter(), version: TupVersion = TarsVersion.TupSimple) {
    this.#w = writer;
    this.#complex = version === TarsVersion.TupComplex;
  }

  /** @throws TarsEncodeError (`TARS_MISSING_TYPE_NAME`) in version 2 when `typeName` is not given. */
  write<T>(_tag: number, name: string, v: T, writer: ValueWriter<T>, typeName?: string): void {
    if (this.#complex) {
      if (typeName === undefined || typeName === '') {
        throw new TarsEncodeError(
          TarsEncodeErrorCode.MissingTypeName,
          `TUP version 2 needs the type name of argument "${name}"`,
        );
      }
      this.#types.set(name, typeName);
    }
    this.#w.reset();
    writer(this.#w, 0, v);
    this.#values.set(name, this.#w.toBytes());
  }

  /** The `sBuffer`: the map of every argument written so far, in writing order. */
  toBytes(): Uint8Array {
    this.#w.reset();
    if (this.#complex) {
      const nested = new Map<string, Map<string, Uint8Array>>();
      for (const [name, bytes] of this.#values) {
        nested.set(name, new Map([[this.#types.get(name) as string, bytes]]));
      }
      this.#w.writeMap(0, nested, S.write, BY_TYPE.write);
    } else {
      this.#w.writeMap(0, this.#values, S.write, B.write);
    }
    return this.#w.toBytes();
  }
}

/**
 * Reads named arguments from a TUP `sBuffer` (version 3, or 2 with `version`). In version 2 the entry of the
 * expected type name is taken when the caller gives one and it is there; otherwise the argument's only entry, so
 * peers that spell type names differently (TarsCpp writes `list<int32>`, @tars/stream `List<int32>`) still work.
 */
export class TupArgReader implements ArgReader {
  readonly #values: Map<string, Uint8Array> | undefined;
  readonly #typed: Map<string, Map<string, Uint8Array>> | undefined;
  readonly #limits: Readonly<DecodeLimits>;

  /** @throws TarsDecodeError when `sBuffer` is not a TUP argument map. */
  constructor(sBuffer: Uint8Array, limits?: Partial<DecodeLimits>, version: number = TarsVersion.TupSimple) {
    const r = new TarsReader(sBuffer, limits);
    this.#limits = r.limits;
    if (version === TarsVersion.TupComplex) this.#typed = r.readMap(0, true, S.read, BY_TYPE.read);
    else this.#values = r.readMap(0, true, S.read, B.read);
  }

  /** Argument names present, in wire order. */
  names(): string[] {
    return [...((this.#values ?? this.#typed) as Map<string, unknown>).keys()];
  }

  /**
   * @param typeName in version 2, the Tars type name expected (ignored in version 3).
   * @throws TarsDecodeError when the argument is absent, ambiguous or malformed.
   */
  read<T>(_tag: number, name: string, reader: ValueReader<T>, typeName?: string): T {
    const bytes = this.#values === undefined ? this.#pick(name, typeName) : this.#values.get(name);
    if (bytes === undefined) {
      throw new TarsDecodeError(TarsDecodeErrorCode.RequiredMissing, `TUP argument "${name}" is absent`, 0);
    }
    return reader(new TarsReader(bytes, this.#limits), 0, true);
  }

  #pick(name: string, typeName: string | undefined): Uint8Array | undefined {
    const byType = this.#typed?.get(name);
    if (byType === undefined) return undefined;
    if (typeName !== undefined) {
      const exact = byType.get(typeName);
      if (exact !== undefined) return exact;
    }
    if (byType.size === 1) return byType.values().next().value as Uint8Array;
    throw new TarsDecodeError(
      TarsDecodeErrorCode.TypeMismatch,
      `TUP argument "${name}" has ${byType.size} typed values [${[...byType.keys()].join(', ')}]` +
        (typeName === undefined ? '' : `, none of type ${typeName}`),
      0,
    );
  }
}
