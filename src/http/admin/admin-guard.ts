/**
 * Who may use the admin API: a valid session cookie for every route but login; for POSTs also the session's CSRF
 * token in `X-CSRF-Token` and no cross-site signal (a foreign `Origin`, `Sec-Fetch-Site` other than same-origin or
 * none). The cookie is SameSite=Strict already; the token and the Origin check hold where that is not enough
 * (older browsers, a sibling subdomain).
 */
import type { IncomingMessage } from 'node:http';
import { ErrorCode, GatewayError } from '../../errors.js';
import { sameOrigin } from '../../gateway/access.js';
import type { AdminAuth, AdminSession } from './admin-auth.js';

export const CSRF_HEADER = 'x-csrf-token';

/** Throws 403 for a request a browser sent for a page of another origin. */
export function refuseCrossSite(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new GatewayError(ErrorCode.Forbidden, `admin API: ${site} requests are refused`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
    throw new GatewayError(ErrorCode.Forbidden, 'admin API: requests from another origin are refused');
  }
}

/** The request's session; throws 401 without a valid one, 403 for a POST without its CSRF token or cross-site. */
export function requireSession(auth: AdminAuth, req: IncomingMessage): AdminSession {
  const session = auth.verify(req.headers.cookie);
  if (!session) throw new GatewayError(ErrorCode.Unauthorized, 'admin API: sign in first');
  if (req.method !== 'GET') {
    refuseCrossSite(req);
    const token = req.headers[CSRF_HEADER];
    if (!auth.checkCsrf(session, typeof token === 'string' ? token : undefined)) {
      throw new GatewayError(ErrorCode.Forbidden, `admin API: missing or wrong ${CSRF_HEADER} header`);
    }
  }
  return session;
}

/** Throws 405 unless the request uses `method`. */
export function requireMethod(req: IncomingMessage, method: 'GET' | 'POST'): void {
  if (req.method !== method) {
    throw new GatewayError(ErrorCode.MethodNotAllowed, `use ${method} here`);
  }
}
