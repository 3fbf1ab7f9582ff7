/**
 * Typed RPC failures. Every call that fails, on the client or in a servant, surfaces as a {@link TarsRpcError}
 * whose `code` is the Tars iRet, so callers can branch on the same numbers a C++ or Java Tars peer would see.
 */

import { TarsRet } from '../packet/constants.js';

/** The Tars iRet codes (one registry, owned by the packet layer), re-exported for RPC users. */
export { TarsRet };

/**
 * A failed Tars call. `code` is the iRet (see `TarsRet`: -3 no function, -4 no servant, -7 timeout, -8 connect error, -9 overload (write buffer full), -12 bad reply, -13 not sent, -99 unknown); for server-side failures `message` is the server's
 * sResultDesc. A servant may throw one to choose the iRet its caller sees.
 *
 * @example
 * try { await proxy.hello(1, 'x') } catch (e) { if (e instanceof TarsRpcError && e.code === TarsRet.InvokeTimeout) retry() }
 */
export class TarsRpcError extends Error {
  /** The Tars iRet: negative framework codes, or any non-zero code a servant chose. */
  readonly code: number;
  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TarsRpcError';
    this.code = code;
  }
}

/** Wraps anything thrown into a TarsRpcError, keeping an existing one as is. */
export function toRpcError(err: unknown, code: number, prefix: string): TarsRpcError {
  if (err instanceof TarsRpcError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new TarsRpcError(code, `${prefix}: ${msg}`, { cause: err });
}
