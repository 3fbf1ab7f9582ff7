/**
 * The one registry of error codes and WebSocket close codes. Every error a client or an HTTP caller can see comes
 * from here, with a line on what the client should do about it.
 */

/** WebSocket close codes sent by the gateway. 1xxx are RFC 6455; 4xxx are ours. */
export const CloseCode = {
  /** Server shutting down or restarting. Reconnect with backoff. */
  GoingAway: 1001,
  /** Protocol error (bad frame). Do not reconnect until the client is fixed. */
  ProtocolError: 1002,
  /** Text frame with invalid UTF-8. Fix the client; reconnecting with the same data fails again. */
  InvalidPayload: 1007,
  /**
   * Policy violation: more than `maxQueuedMessages` messages awaiting handling (frames already read when reading
   * paused at `maxPendingMessages`). Wait for replies before sending more; reconnect with backoff.
   */
  PolicyViolation: 1008,
  /** Frame larger than `maxFrameBytes`. Send smaller messages; reconnect is fine. */
  MessageTooBig: 1009,
  /** Unexpected server error. Reconnect with backoff. */
  InternalError: 1011,
  /** The client did not read fast enough: its unsent buffer passed `maxBufferedBytes`. Reconnect with backoff. */
  SlowConsumer: 4008,
  /** Closed by an operator (admin dashboard's disconnect). Reconnect with backoff, or not, as the app decides. */
  ClosedByAdmin: 4009,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Centrifugo client protocol error codes (replies to commands on `/connection/websocket`), as Centrifugo numbers them.
 */
export const CentrifugeError = {
  /** Server error. Retry later. */
  Internal: 100,
  /** The connection is not authorised to do this (no connection yet, anonymous not allowed). */
  Unauthorized: 101,
  /** The channel's namespace is not configured (`namespaces`). Fix the channel name or the config. */
  UnknownChannel: 102,
  /**
   * The channel's options (`allow*`) or the token do not allow this, a `$` channel was subscribed without a token,
   * or a subscription token was invalid.
   */
  PermissionDenied: 103,
  /** Unknown command method or RPC method. */
  MethodNotFound: 104,
  /** Already subscribed to this channel. */
  AlreadySubscribed: 105,
  /** A limit was passed: channels per connection (`maxRoomsPerConnection`), `data` over `maxMessageLength`. */
  LimitExceeded: 106,
  /** Malformed command, or a channel name over `maxRoomNameLength`. Fix the client. */
  BadRequest: 107,
  /** The feature is not available (presence, history, recovery: issue 11). */
  NotAvailable: 108,
  /** The token (connection or subscription) expired: get a new one and retry (the SDK calls `getToken`). */
  TokenExpired: 109,
  /** The subscription or connection has expired (a refresh came with an `expire_at` in the past). */
  Expired: 110,
  /**
   * More commands than `centrifugeCommandRate`/`centrifugeCommandBurst` allow: slow down. Temporary: the SDK retries
   * subscribes and refreshes by itself.
   */
  TooManyRequests: 111,
  /** Unrecoverable position (history). */
  UnrecoverablePosition: 112,
} as const;
export type CentrifugeError = (typeof CentrifugeError)[keyof typeof CentrifugeError];

/**
 * Centrifugo unsubscribe codes, sent in an `unsubscribe` push. Below 2500 the SDK stays unsubscribed; from 2500 on
 * it subscribes again.
 */
export const CentrifugeUnsubscribe = {
  /** Unsubscribed by the server (server API `unsubscribe`). The SDK does not resubscribe. */
  Server: 2000,
  /**
   * The subscription token's expiry passed (plus `centrifugeExpiredCloseDelayMs`) without a `sub_refresh`. The SDK
   * subscribes again, getting a new token.
   */
  Expired: 2501,
} as const;
export type CentrifugeUnsubscribe = (typeof CentrifugeUnsubscribe)[keyof typeof CentrifugeUnsubscribe];

/**
 * Centrifugo disconnect codes, sent as WebSocket close codes. 3000-3499: the SDK reconnects; 3500-3999: it does not.
 */
export const CentrifugeDisconnect = {
  /** Server shutting down. The SDK reconnects. */
  Shutdown: 3001,
  /** No pong in time after a server ping. The SDK reconnects. */
  NoPong: 3012,
  /**
   * The connection's expiry passed (plus `centrifugeExpiredCloseDelayMs`) without a refresh, or a refresh came with
   * an expired token. The SDK reconnects with a new token.
   */
  Expired: 3005,
  /** A server-side subscription expired. The SDK reconnects. */
  SubExpired: 3006,
  /**
   * Insufficient state: a positioned subscription (`positioned: true`) saw a gap in the offsets it was sent. The SDK
   * reconnects and, when the subscription is recoverable, recovers what it missed.
   */
  InsufficientState: 3010,
  /**
   * Invalid token: bad signature, wrong `aud`/`iss`, a subscription token's `sub` or `channel` that does not match,
   * a refresh for another user. No reconnect.
   */
  InvalidToken: 3500,
  /** Malformed command or a command before connect. No reconnect. */
  BadRequest: 3501,
  /** Disconnected by the server API (`disconnect` without a custom code; Centrifugo's "force disconnect"). No reconnect. */
  ForceNoReconnect: 3503,
  /** Anonymous connection not allowed. No reconnect. */
  PermissionDenied: 3503,
  /** The token names more server-side channels than `maxRoomsPerConnection`. No reconnect. */
  ChannelLimit: 3505,
  /** More error replies than `centrifugeErrorBurst` (refilled at `centrifugeErrorRate`/s): a broken or abusive client. No reconnect. */
  TooManyErrors: 3509,
} as const;
export type CentrifugeDisconnect = (typeof CentrifugeDisconnect)[keyof typeof CentrifugeDisconnect];

/** Application error codes, stable across releases, carried in JSON error bodies and protocol error replies. */
export const ErrorCode = {
  /** The message or request could not be parsed (bad JSON, wrong shape). Fix the sender. */
  BadPayload: 'BAD_PAYLOAD',
  /** A required field is missing or has the wrong type. Fix the sender. */
  MissingField: 'MISSING_FIELD',
  /** A room name is empty, too long or holds control characters. Use another name. */
  BadRoom: 'BAD_ROOM',
  /** A parameter failed validation (length, type). Fix the sender. */
  BadParam: 'BAD_PARAM',
  /** Authentication is required or the token is wrong. Send `Authorization: Bearer <token>`. */
  Unauthorized: 'UNAUTHORIZED',
  /** The caller may not use this endpoint (push API from a non-loopback address without a token). */
  Forbidden: 'FORBIDDEN',
  /** No such route. Check the URL. */
  NotFound: 'NOT_FOUND',
  /**
   * The room keeps no history (or no presence): its options (`channelDefaults`) do not set them. Do not ask this
   * room for them (JSON protocol `history`, `presence`, `presence_stats`, `subscribe` with `since`).
   */
  NotAvailable: 'NOT_AVAILABLE',
  /**
   * A history position (`since`) of another epoch: the room's stream was lost and started again. Reload what the
   * page shows (history without `since`) rather than resume.
   */
  UnrecoverablePosition: 'UNRECOVERABLE_POSITION',
  /** The method is not allowed on this route. */
  MethodNotAllowed: 'METHOD_NOT_ALLOWED',
  /** The request body is larger than `maxHttpBodyBytes`. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** The request (headers or body) did not arrive within `headersTimeoutMs` / `requestTimeoutMs`. Send faster. */
  RequestTimeout: 'REQUEST_TIMEOUT',
  /** The request URL is longer than the gateway accepts (8 KiB). Send parameters in a POST body. */
  UriTooLong: 'URI_TOO_LONG',
  /** The request headers are larger than Node accepts (`--max-http-header-size`, 16 KiB). Send fewer cookies. */
  HeadersTooLarge: 'HEADERS_TOO_LARGE',
  /** Too many failed attempts from this address (admin login). Wait the `Retry-After` seconds. */
  TooManyRequests: 'TOO_MANY_REQUESTS',
  /** The server refuses new connections for now (connection limit, shutting down). Retry with backoff. */
  Unavailable: 'UNAVAILABLE',
  /** An upstream (Tars service, store) failed or timed out. Retry later. */
  Upstream: 'UPSTREAM_ERROR',
  /** Unexpected server error. Retry later; report if it persists. */
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const httpStatusOf: Record<ErrorCode, number> = {
  BAD_PAYLOAD: 400,
  MISSING_FIELD: 400,
  BAD_ROOM: 400,
  BAD_PARAM: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NOT_AVAILABLE: 404,
  UNRECOVERABLE_POSITION: 410,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  REQUEST_TIMEOUT: 408,
  URI_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
  UPSTREAM_ERROR: 502,
  INTERNAL: 500,
};

/** An error meant for the client: it knows its stable code and its HTTP status. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = options?.status ?? httpStatusOf[code];
  }
  /** The JSON body used for HTTP errors: `{"code":..., "error": {"code", "message"}}`. */
  toJSON(): { code: number; error: { code: ErrorCode; message: string } } {
    return { code: this.status, error: { code: this.code, message: this.message } };
  }
}

/** Thrown at start when configuration is invalid: names the key and the accepted values. */
export class ConfigError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(`invalid config "${key}": ${message}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}

/**
 * History or presence cannot be read or written now: its backend (Redis, the cluster primary) is unreachable or
 * failed. Code UPSTREAM_ERROR. Callers degrade (a publish is delivered and counted as not stored, a recovery
 * answers `recovered: false`); the engine heals by itself when the backend returns.
 */
export class EngineUnavailableError extends GatewayError {
  /** Which engine failed. */
  readonly engine: 'history' | 'presence';
  constructor(engine: 'history' | 'presence', message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Upstream, message, options);
    this.name = 'EngineUnavailableError';
    this.engine = engine;
  }
}
