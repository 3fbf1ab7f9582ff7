/**
 * Typed RPC failures. Every call that fails, on the client or in a servant, surfaces as a {@link TarsRpcError}
 * whose `code` is the Tars iRet, so callers can branch on the same numbers a C++ or Java Tars peer would see.
 */

/** The Tars iRet codes (TarsCpp names in comments). 0 is success; everything else is a failure. */
export const TarsRet = {
  /** TARSSERVERSUCCESS */
  Success: 0,
  /** TARSSERVERDECODEERR: the server could not decode the request or its arguments. */
  ServerDecodeError: -1,
  /** TARSSERVERENCODEERR: the server could not encode the reply. */
  ServerEncodeError: -2,
  /** TARSSERVERNOFUNCERR: the servant has no such function. */
  NoFunction: -3,
  /** TARSSERVERNOSERVANTERR: the server hosts no such servant. */
  NoServant: -4,
  /** TARSSERVERRESETGRID */
  ResetGrid: -5,
  /** TARSSERVERQUEUETIMEOUT: the request waited too long in the server's queue. */
  QueueTimeout: -6,
  /** TARSINVOKETIMEOUT: no reply within the call's timeout. */
  InvokeTimeout: -7,
  /** TARSPROXYCONNECTERR: no connection to any endpoint (refused, connect timeout, lost before the reply). */
  ConnectError: -8,
  /** TARSSERVEROVERLOAD */
  Overload: -9,
  /** TARSADAPTERNULL: no endpoint to send to (registry returned none). */
  AdapterNull: -10,
  /** TARSINVOKEBYINVALIDESET */
  InvalidSet: -11,
  /** TARSCLIENTDECODEERR: the reply could not be decoded. */
  ClientDecodeError: -12,
  /** TARSSENDREQUESTERR: the request could not be sent (proxy closed, encode failure). */
  SendRequestError: -13,
  /** TARSSERVERUNKNOWNERR: the servant threw something without a code. */
  Unknown: -99,
} as const;
export type TarsRet = (typeof TarsRet)[keyof typeof TarsRet];

/**
 * A failed Tars call. `code` is the iRet (see {@link TarsRet}); for server-side failures `message` is the server's
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
