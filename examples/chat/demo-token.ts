/**
 * `/demo/token?user=NAME`: a short-lived HS256 connection token for client3.html, minted with the configured
 * `tokenHmacSecretKey`. Demo only: it signs in anyone under any name. A real application mints tokens in its own
 * backend after its login. Without a secret the route answers 404 and the page connects anonymously.
 */
import { SignJWT } from 'jose';
import {
  ErrorCode,
  GatewayError,
  type GatewayConfig,
  type HttpContext,
  type Logger,
  type RouteHandler,
} from '../../src/index.js';

/** Lifetime of a demo token: short, so the page's refresh through `getToken` is exercised. */
export const DEMO_TOKEN_TTL_S = 300;
const USER_NAME = /^[\p{L}\p{N}_.-]{1,64}$/u;

export function demoTokenRoute(config: Readonly<GatewayConfig>, log: Logger): RouteHandler {
  const secret = config.tokenHmacSecretKey;
  if (secret !== '') {
    log.warn('demo: /demo/token mints a connection token for any user name (demo only, not for production)');
  }
  const key = new TextEncoder().encode(secret);
  return async ({ url }: HttpContext) => {
    if (secret === '') throw new GatewayError(ErrorCode.NotFound, 'no token secret is configured');
    const user = url.searchParams.get('user') ?? '';
    if (!USER_NAME.test(user)) {
      throw new GatewayError(ErrorCode.BadParam, 'user: 1 to 64 letters, digits, _ . or -');
    }
    const token = await new SignJWT({ sub: user })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + DEMO_TOKEN_TTL_S)
      .sign(key);
    return { token, ttl: DEMO_TOKEN_TTL_S };
  };
}
