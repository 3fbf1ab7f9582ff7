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
