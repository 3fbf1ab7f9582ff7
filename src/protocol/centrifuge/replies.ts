/**
 * How a Centrifugo command fails: an error reply (the connection stays) or a disconnect (it closes), and how any
 * error thrown while handling a command becomes the reply's `{code, message, temporary?}`.
 */
import { CentrifugeError, ErrorCode, GatewayError, type CentrifugeDisconnect } from '../../errors.js';

/** A command refused with a Centrifugo error code. */
export class ReplyError extends Error {
  readonly code: CentrifugeError;
  constructor(code: CentrifugeError, message: string) {
    super(message);
    this.code = code;
  }
}

/** A refusal that ends the connection. */
export class Disconnect extends Error {
  readonly code: CentrifugeDisconnect;
  constructor(code: CentrifugeDisconnect, reason: string) {
    super(reason);
    this.code = code;
  }
}

/** Errors Centrifugo marks temporary: the SDK retries subscribes and refreshes that fail with them. */
const TEMPORARY: ReadonlySet<number> = new Set([CentrifugeError.Internal, CentrifugeError.TooManyRequests]);

/** The gateway's own refusals (the send path's checks) in Centrifugo's codes. */
const FROM_GATEWAY: Partial<Record<ErrorCode, CentrifugeError>> = {
  [ErrorCode.NotFound]: CentrifugeError.MethodNotFound,
  [ErrorCode.Forbidden]: CentrifugeError.PermissionDenied,
  [ErrorCode.Unauthorized]: CentrifugeError.PermissionDenied,
  [ErrorCode.BadRoom]: CentrifugeError.BadRequest,
  [ErrorCode.MissingField]: CentrifugeError.BadRequest,
  [ErrorCode.BadParam]: CentrifugeError.BadRequest,
};

/** The `error` of a reply: `{code, message}`, with `temporary: true` where Centrifugo sets it. */
export function toReplyError(err: unknown): { code: number; message: string; temporary?: true } {
  let code: number = CentrifugeError.Internal;
  let message = 'internal server error';
  if (err instanceof ReplyError) [code, message] = [err.code, err.message];
  else if (err instanceof GatewayError) {
    const mapped = FROM_GATEWAY[err.code];
    if (mapped !== undefined) [code, message] = [mapped, err.message];
  }
  return TEMPORARY.has(code) ? { code, message, temporary: true } : { code, message };
}
