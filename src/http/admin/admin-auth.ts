/**
 * Admin sessions without server-side state: the password is compared in constant time, a good one gets a cookie
 * `<expiry>.<nonce>.<signature>` signed with HMAC-SHA256 under a key derived from the password and `adminSecret`
 * (or a random salt per machine), and a CSRF token derived from the same nonce. Changing the password or the
 * secret ends every session; a node with another key does not accept the cookie.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'tars_ws_admin';

/** A valid session, as read from its cookie. */
export interface AdminSession {
  readonly nonce: string;
  readonly expiresAt: number;
  /** The token POSTs of this session must carry in `X-CSRF-Token`. */
  readonly csrf: string;
}

export interface AdminAuthOptions {
  password: string;
  /** Shared key material (`adminSecret`); empty: `salt` only. */
  secret: string;
  /** Random per machine when no secret is configured. */
  salt: string;
  ttlMs: number;
  now?: () => number;
}

export class AdminAuth {
  readonly #key: Buffer;
  readonly #passwordDigest: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: AdminAuthOptions) {
    if (options.password === '') throw new RangeError('the admin dashboard needs a password');
    this.#key = createHmac('sha256', options.secret !== '' ? options.secret : options.salt)
      .update(`tars-ws admin session\u0000${options.password}`)
      .digest();
    this.#passwordDigest = sha256(options.password);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Constant time whatever the lengths: digests of equal size are compared, never the texts. */
  checkPassword(given: string): boolean {
    return timingSafeEqual(sha256(given), this.#passwordDigest);
  }

  /** A new session and its cookie value. */
  issue(): { session: AdminSession; cookie: string } {
    const expiresAt = this.#now() + this.#ttlMs;
    const nonce = randomBytes(16).toString('base64url');
    const payload = `${expiresAt}.${nonce}`;
    return { session: this.#session(nonce, expiresAt), cookie: `${payload}.${this.#sign(payload)}` };
  }

  /** The session of a `Cookie` header, if it carries a well-signed, unexpired one. */
  verify(cookieHeader: string | undefined): AdminSession | undefined {
    const value = readCookie(cookieHeader, SESSION_COOKIE);
    if (value === undefined) return undefined;
    const m = /^(\d{1,15})\.([\w-]{22})\.([\w-]{43})$/.exec(value);
    if (!m) return undefined;
    const [, expiry = '', nonce = '', signature = ''] = m;
    const want = Buffer.from(this.#sign(`${expiry}.${nonce}`));
    if (!timingSafeEqual(Buffer.from(signature), want)) return undefined;
    const expiresAt = Number(expiry);
    if (expiresAt <= this.#now()) return undefined;
    return this.#session(nonce, expiresAt);
  }

  /** Whether `given` is the session's CSRF token (constant time). */
  checkCsrf(session: AdminSession, given: string | undefined): boolean {
    if (given === undefined) return false;
    return timingSafeEqual(sha256(given), sha256(session.csrf));
  }

  /** `Set-Cookie` of a session: only for /admin, never sent cross-site, unreadable by scripts. */
  static cookieHeader(value: string, maxAgeMs: number, secure: boolean): string {
    const attrs = [`Path=/admin`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.floor(maxAgeMs / 1000)}`];
    if (secure) attrs.push('Secure');
    return `${SESSION_COOKIE}=${value}; ${attrs.join('; ')}`;
  }

  #session(nonce: string, expiresAt: number): AdminSession {
    return { nonce, expiresAt, csrf: this.#sign(`csrf.${nonce}`) };
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** One cookie's value from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
