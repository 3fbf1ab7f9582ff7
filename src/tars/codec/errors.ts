/**
 * Typed errors of the Tars codec. Decoding handles bytes from the network, so every failure is a
 * {@link TarsDecodeError} with a stable `code` and the byte offset where it happened; callers map it to
 * an RPC result code (-1 server decode error, -12 client decode error) without parsing messages.
 */

/** Stable codes of {@link TarsDecodeError}. */
export const TarsDecodeErrorCode = {
  /** The input ends inside a head or a value. */
  Truncated: 'TARS_TRUNCATED',
  /** A field holds a wire type that cannot be read as the requested type. */
  TypeMismatch: 'TARS_TYPE_MISMATCH',
  /** A required field (or RPC argument) is absent. */
  RequiredMissing: 'TARS_REQUIRED_MISSING',
  /** A head carries a type number outside 0..13, or a struct end where none is allowed. */
  InvalidType: 'TARS_INVALID_TYPE',
  /** A length or size is negative or larger than the bytes that remain. */
  InvalidLength: 'TARS_INVALID_LENGTH',
  /** A configured {@link DecodeLimits} bound was passed (size, length, depth). */
  LimitExceeded: 'TARS_LIMIT_EXCEEDED',
  /** A packet frame length is below 4 or above the configured maximum. */
  BadFrameLength: 'TARS_BAD_FRAME_LENGTH',
  /** A packet or argument buffer uses a protocol version this implementation does not speak. */
  UnsupportedVersion: 'TARS_UNSUPPORTED_VERSION',
} as const;
export type TarsDecodeErrorCode = (typeof TarsDecodeErrorCode)[keyof typeof TarsDecodeErrorCode];

/** Stable codes of {@link TarsEncodeError}. */
export const TarsEncodeErrorCode = {
  /** A tag outside 0..255 (or not an integer). */
  BadTag: 'TARS_BAD_TAG',
  /** A value outside its IDL type's range, not an integer for an integer type, or of the wrong JS type. */
  OutOfRange: 'TARS_OUT_OF_RANGE',
  /** Values nested deeper than the writer allows (a cycle, most likely). */
  TooDeep: 'TARS_TOO_DEEP',
  /** Arguments were asked for in a protocol version this implementation does not write. */
  UnsupportedVersion: 'TARS_UNSUPPORTED_VERSION',
  /** A TUP version 2 argument was written without its Tars type name. */
  MissingTypeName: 'TARS_MISSING_TYPE_NAME',
} as const;
export type TarsEncodeErrorCode = (typeof TarsEncodeErrorCode)[keyof typeof TarsEncodeErrorCode];

/** Bytes could not be decoded. `offset` is the position in the reader's input; `tag` the field, when known. */
export class TarsDecodeError extends Error {
  readonly code: TarsDecodeErrorCode;
  readonly offset: number;
  readonly tag: number | undefined;
  constructor(code: TarsDecodeErrorCode, message: string, offset: number, tag?: number) {
    super(tag === undefined ? `${message} (offset ${offset})` : `${message} (tag ${tag}, offset ${offset})`);
    this.name = 'TarsDecodeError';
    this.code = code;
    this.offset = offset;
    this.tag = tag;
  }
}

/** A value could not be encoded; nothing about it reached the wire. */
export class TarsEncodeError extends Error {
  readonly code: TarsEncodeErrorCode;
  readonly tag: number | undefined;
  constructor(code: TarsEncodeErrorCode, message: string, tag?: number) {
    super(tag === undefined ? message : `${message} (tag ${tag})`);
    this.name = 'TarsEncodeError';
    this.code = code;
    this.tag = tag;
  }
}
