/** Connection and subscription tokens (JWT, verified with jose): HS256/384/512 with `tokenHmacSecretKey`. */
import { errors, jwtVerify, type JWTPayload } from 'jose';

/** Why a token was refused: expired (the client may get a new one, 109) or invalid (3500). */
export class TokenError extends Error {
  readonly expired: boolean;
  constructor(expired: boolean, message: string) {
    super(message);
    this.expired = expired;
  }
}

/** The claims tars-ws reads from a connection token. */
export interface ConnectionClaims {
  /** User id; '' for anonymous. */
  user: string;
  /** Expiry in seconds since the epoch; 0 when the token does not expire. */
  exp: number;
  /** Channels to subscribe the connection to on connect. */
  channels: string[];
  info?: unknown;
}

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

export async function verifyToken(token: string, hmacKey: string): Promise<JWTPayload> {
  if (hmacKey === '') throw new TokenError(false, 'no token key configured');
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(hmacKey), {
      algorithms: HMAC_ALGORITHMS,
    });
    return payload;
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new TokenError(true, 'token expired');
    throw new TokenError(false, 'invalid token');
  }
}

export async function connectionClaims(token: string, hmacKey: string): Promise<ConnectionClaims> {
  const p = await verifyToken(token, hmacKey);
  const channels = Array.isArray(p['channels'])
    ? p['channels'].filter((c): c is string => typeof c === 'string')
    : [];
  return { user: typeof p.sub === 'string' ? p.sub : '', exp: p.exp ?? 0, channels, info: p['info'] };
}
