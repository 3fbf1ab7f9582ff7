/** Picks the argument encoding of a packet version, so RPC code handles versions 1, 2 and 3 the same way. */
import type { ArgReader, ArgWriter } from '../contract.js';
import {
  TarsDecodeError,
  TarsDecodeErrorCode,
  TarsEncodeError,
  TarsEncodeErrorCode,
} from '../codec/errors.js';
import type { DecodeLimits } from '../codec/limits.js';
import type { TarsWriter } from '../codec/writer.js';
import { TarsArgReader, TarsArgWriter } from './args-tars.js';
import { TupArgReader, TupArgWriter } from './args-tup.js';
import { TarsVersion } from './constants.js';

/** An {@link ArgWriter} that can produce the packet's `sBuffer`. */
export interface ArgEncoder extends ArgWriter {
  toBytes(): Uint8Array;
}

/**
 * The argument writer for `version` (1 TARS, 2 TUP complex or 3 TUP simple).
 * @throws TarsEncodeError (`TARS_UNSUPPORTED_VERSION`) for any other version.
 *
 * @example
 * const args = createArgWriter(TarsVersion.TupComplex);
 * args.write(1, 'no', 7, TarsValues.int32.write, TarsValues.int32.typeName);
 * const sBuffer = args.toBytes();
 */
export function createArgWriter(version: number, writer?: TarsWriter): ArgEncoder {
  if (version === TarsVersion.Tars) return new TarsArgWriter(writer);
  if (version === TarsVersion.TupSimple || version === TarsVersion.TupComplex) {
    return new TupArgWriter(writer, version);
  }
  throw new TarsEncodeError(
    TarsEncodeErrorCode.UnsupportedVersion,
    `cannot write arguments of iVersion ${version}`,
  );
}

/**
 * The argument reader over `sBuffer` for `version` (1 TARS, 2 TUP complex, 3 TUP simple).
 * @throws TarsDecodeError (`TARS_UNSUPPORTED_VERSION`) for any other version, or when a TUP map is malformed.
 */
export function createArgReader(
  version: number,
  sBuffer: Uint8Array,
  limits?: Partial<DecodeLimits>,
): ArgReader {
  if (version === TarsVersion.Tars) return new TarsArgReader(sBuffer, limits);
  if (version === TarsVersion.TupSimple || version === TarsVersion.TupComplex) {
    return new TupArgReader(sBuffer, limits, version);
  }
  throw new TarsDecodeError(
    TarsDecodeErrorCode.UnsupportedVersion,
    `cannot read arguments of iVersion ${version}`,
    0,
  );
}
