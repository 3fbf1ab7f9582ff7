/**
 * Connection and subscription tokens (JWT, verified with jose): HS256/384/512 with `tokenHmacSecretKey`, RS256-512
 * and PS256-512 with `tokenRsaPublicKey` (PEM), ES256-512 with `tokenEcdsaPublicKey` (PEM), any of a JWKS with
 * `tokenJwksUrl`; `aud`/`iss` checked when `tokenAudience`/`tokenIssuer` are set. Claims are read as Centrifugo does.
 */
import { webcrypto } from 'node:crypto';
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

/** Per-subscription options from a token's `subs` claim or a subscription token. */
export interface SubscriptionGrant {
  /** Channel info (`chan_info` of this client's publications). */
  info?: unknown;
  /** Channel option overrides: `{presence: {value: false}}` and the like, as Centrifugo's `override`. */
  override?: Readonly<Record<string, boolean>>;
}

/** The claims tars-ws reads from a connection token. */
export interface ConnectionClaims {
  /** User id; '' for anonymous. */
  user: string;
  /** When the connection expires, in seconds since the epoch (`expire_at`, else `exp`); 0 = never. */
  expireAt: number;
  /** Server-side subscriptions: `subs` when present, else `channels` (no options). */
  subs: ReadonlyMap<string, SubscriptionGrant>;
  /** Connection info (`conn_info` of this client's publications). */
  info?: unknown;
  /** Server-side data about the connection, never sent to clients. */
  meta?: unknown;
}

/** The claims of a subscription token. */
export interface SubscriptionClaims extends SubscriptionGrant {
  user: string;
  channel: string;
  /** When the subscription expires (`expire_at`, else `exp`); 0 = never. */
  expireAt: number;
  /** When set, only this client id may use the token. */
  client?: string;
}

export interface TokenKeys {
  readonly hmacSecretKey: string;
  readonly rsaPublicKey: string;
  readonly ecdsaPublicKey: string;
  readonly jwksUrl: string;
  /** Required `aud`; '' = not checked. */
  readonly audience: string;
  /** Required `iss`; '' = not checked. */
  readonly issuer: string;
}

const HMAC_HASHES: Readonly<Record<string, string>> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};

type KeyFor = (alg: string) => Promise<Parameters<typeof jwtVerify>[1] | undefined>;

/** Verifies tokens with the configured keys; the keys are imported once, on first use. */
export class TokenVerifier {
  readonly #keyFor: KeyFor;
  readonly #jwks: JWTVerifyGetKey | undefined;
  readonly #claims: { audience?: string; issuer?: string };
  readonly configured: boolean;

  constructor(keys: TokenKeys) {
    this.#claims = {};
    if (keys.audience !== '') this.#claims.audience = keys.audience;
    if (keys.issuer !== '') this.#claims.issuer = keys.issuer;
    this.configured =
      keys.hmacSecretKey !== '' ||
      keys.rsaPublicKey !== '' ||
      keys.ecdsaPublicKey !== '' ||
      keys.jwksUrl !== '';
    const secret = keys.hmacSecretKey === '' ? undefined : new TextEncoder().encode(keys.hmacSecretKey);
    // Imported once per algorithm: given raw bytes, jose imports the secret again on every verify (~40% of it).
    const hmacKeys = new Map<string, Promise<webcrypto.CryptoKey>>();
    const hmac = (alg: string): Promise<webcrypto.CryptoKey> | undefined => {
      const hash = HMAC_HASHES[alg];
      if (secret === undefined || hash === undefined) return undefined;
      let key = hmacKeys.get(alg);
      if (!key) {
        key = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash }, false, ['verify']);
        hmacKeys.set(alg, key);
      }
      return key;
    };
    const spki = new Map<string, ReturnType<typeof importSPKI>>();
    const imported = (pem: string, alg: string): ReturnType<typeof importSPKI> => {
      let key = spki.get(alg);
      if (!key) spki.set(alg, (key = importSPKI(pem, alg)));
      return key;
    };
    const jwks: JWTVerifyGetKey | undefined =
      keys.jwksUrl === '' ? undefined : createRemoteJWKSet(new URL(keys.jwksUrl));
    this.#jwks = jwks;
    this.#keyFor = async (alg) => {
      if (alg.startsWith('HS')) return hmac(alg);
      if ((alg.startsWith('RS') || alg.startsWith('PS')) && keys.rsaPublicKey !== '')
        return imported(keys.rsaPublicKey, alg);
      if (alg.startsWith('ES') && keys.ecdsaPublicKey !== '') return imported(keys.ecdsaPublicKey, alg);
      return jwks;
    };
  }

  async verify(token: string): Promise<JWTPayload> {
    try {
      const { alg, kid } = decodeProtectedHeader(token);
      // A token naming its key (`kid`) is an identity provider's: verified with the JWKS when one is configured.
      const key =
        alg === undefined || alg === 'none'
          ? undefined
          : kid !== undefined && this.#jwks !== undefined && !alg.startsWith('HS')
            ? this.#jwks
            : await this.#keyFor(alg);
      if (key === undefined) throw new TokenError(false, 'no key for the token');
      const { payload } =
        typeof key === 'function'
          ? await jwtVerify(token, key, this.#claims)
          : await jwtVerify(token, key, this.#claims);
      return payload;
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new TokenError(true, 'token expired');
      throw new TokenError(false, 'invalid token');
    }
  }

  async connectionClaims(token: string): Promise<ConnectionClaims> {
    const p = await this.verify(token);
    // A subscription token is signed with the same keys: Centrifugo refuses one used to connect.
    if (p['channel'] !== undefined) throw new TokenError(false, 'a subscription token cannot connect');
    const subs = new Map<string, SubscriptionGrant>();
    if (isObject(p['subs'])) {
      for (const [channel, opts] of Object.entries(p['subs'])) subs.set(channel, grantOf(opts));
    } else if (Array.isArray(p['channels'])) {
      for (const c of p['channels']) if (typeof c === 'string') subs.set(c, {});
    }
    return { user: subOf(p), expireAt: expireAtOf(p), subs, info: p['info'], meta: p['meta'] };
  }

  async subscriptionClaims(token: string): Promise<SubscriptionClaims> {
    const p = await this.verify(token);
    const channel = p['channel'];
    if (typeof channel !== 'string' || channel === '') throw new TokenError(false, 'channel claim required');
    const claims: SubscriptionClaims = { ...grantOf(p), user: subOf(p), channel, expireAt: expireAtOf(p) };
    if (typeof p['client'] === 'string' && p['client'] !== '') claims.client = p['client'];
    return claims;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function subOf(p: JWTPayload): string {
  return typeof p.sub === 'string' ? p.sub : '';
}

/** `expire_at` decides the expiry when present (0: never, while `exp` still bounds the token's use), else `exp`. */
function expireAtOf(p: JWTPayload): number {
  const at = p['expire_at'];
  if (typeof at === 'number' && Number.isFinite(at)) return Math.max(0, Math.floor(at));
  return p.exp ?? 0;
}

/** `info` and `override` (`{"presence": {"value": false}}` becomes `{presence: false}`). */
function grantOf(raw: unknown): SubscriptionGrant {
  const grant: SubscriptionGrant = {};
  if (!isObject(raw)) return grant;
  if (raw['info'] !== undefined) grant.info = raw['info'];
  const override = raw['override'];
  if (isObject(override)) {
    const out: Record<string, boolean> = {};
    for (const [key, v] of Object.entries(override))
      if (isObject(v) && typeof v['value'] === 'boolean') out[key] = v['value'];
    grant.override = out;
  }
  return grant;
}
