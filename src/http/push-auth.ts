/**
 * Who may call the push endpoints: with a configured token, callers presenting `Authorization: Bearer <token>`;
 * without one, loopback callers only (a gateway exposed on a public port must not let anyone push to its users).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ErrorCode, GatewayError } from '../errors.js';

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Throws 401/403 unless the request may push. */
export function checkPushAuth(req: IncomingMessage, token: string): void {
  if (token === '') {
    // A web page open in a browser on this machine is a loopback caller too: refuse cross-site requests, which
    // browsers always mark (Sec-Fetch-Site, Origin), so a malicious page cannot push through its visitor.
    if (isCrossSite(req)) {
      throw new GatewayError(
        ErrorCode.Forbidden,
        'cross-site push requests are refused; configure a push token',
      );
    }
    if (isLoopback(req.socket.remoteAddress)) return;
    throw new GatewayError(
      ErrorCode.Forbidden,
      'push API accepts loopback callers only; configure a push token to allow remote callers',
    );
  }
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const given = Buffer.from(m?.[1]?.trim() ?? '', 'utf8');
  const want = Buffer.from(token, 'utf8');
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new GatewayError(ErrorCode.Unauthorized, 'push API requires "Authorization: Bearer <token>"');
  }
}

/** True for a request a browser sent on behalf of a page of another origin. */
export function isCrossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  return !sameOrigin(origin, req.headers.host);
}

/** Whether an Origin header names the host the request was sent to (any scheme). */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || origin === 'null') return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
