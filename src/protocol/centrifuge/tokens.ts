/**
 * Connection tokens (JWT, verified with jose): HS256/384/512 with `tokenHmacSecretKey`, RS256-512 and PS256-512 with
 * `tokenRsaPublicKey` (PEM), ES256-512 with `tokenEcdsaPublicKey` (PEM), any of a JWKS with `tokenJwksUrl`.
 */
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  importSPKI,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

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

export interface TokenKeys {
  readonly hmacSecretKey: string;
  readonly rsaPublicKey: string;
  readonly ecdsaPublicKey: string;
  readonly jwksUrl: string;
}

type KeyFor = (alg: string) => Promise<Parameters<typeof jwtVerify>[1] | undefined>;

/** Verifies tokens with the configured keys; the keys are imported once, on first use. */
export class TokenVerifier {
  readonly #keyFor: KeyFor;
  readonly configured: boolean;

  constructor(keys: TokenKeys) {
    this.configured =
      keys.hmacSecretKey !== '' ||
      keys.rsaPublicKey !== '' ||
      keys.ecdsaPublicKey !== '' ||
      keys.jwksUrl !== '';
    const hmac = keys.hmacSecretKey === '' ? undefined : new TextEncoder().encode(keys.hmacSecretKey);
    const spki = new Map<string, ReturnType<typeof importSPKI>>();
    const imported = (pem: string, alg: string): ReturnType<typeof importSPKI> => {
      let key = spki.get(alg);
      if (!key) spki.set(alg, (key = importSPKI(pem, alg)));
      return key;
    };
    const jwks: JWTVerifyGetKey | undefined =
      keys.jwksUrl === '' ? undefined : createRemoteJWKSet(new URL(keys.jwksUrl));
    this.#keyFor = async (alg) => {
      if (alg.startsWith('HS')) return hmac;
      if ((alg.startsWith('RS') || alg.startsWith('PS')) && keys.rsaPublicKey !== '')
        return imported(keys.rsaPublicKey, alg);
      if (alg.startsWith('ES') && keys.ecdsaPublicKey !== '') return imported(keys.ecdsaPublicKey, alg);
      return jwks;
    };
  }

  async verify(token: string): Promise<JWTPayload> {
    try {
      const { alg } = decodeProtectedHeader(token);
      const key = alg === undefined || alg === 'none' ? undefined : await this.#keyFor(alg);
      if (key === undefined) throw new TokenError(false, 'no key for the token');
      const { payload } =
        typeof key === 'function' ? await jwtVerify(token, key) : await jwtVerify(token, key);
      return payload;
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new TokenError(true, 'token expired');
      throw new TokenError(false, 'invalid token');
    }
  }

  async connectionClaims(token: string): Promise<ConnectionClaims> {
    const p = await this.verify(token);
    const channels = Array.isArray(p['channels'])
      ? p['channels'].filter((c): c is string => typeof c === 'string')
      : [];
    return { user: typeof p.sub === 'string' ? p.sub : '', exp: p.exp ?? 0, channels, info: p['info'] };
  }
}
