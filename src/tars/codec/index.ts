/** The Tars value codec: writer, reader, element codecs, limits and errors. */
export { TarsWriter } from './writer.js';
export { TarsReader } from './reader.js';
export { TarsValues, type TarsValueCodec, type TarsValuesApi } from './values.js';
export { DEFAULT_DECODE_LIMITS, resolveDecodeLimits, type DecodeLimits } from './limits.js';
export { TarsDecodeError, TarsDecodeErrorCode, TarsEncodeError, TarsEncodeErrorCode } from './errors.js';
export { WireType } from './wire-type.js';
export { invalidUtf8Count } from './utf8.js';
