/**
 * Who may use a privileged endpoint (the push API; admin, metrics and the server API share the rule): with a
 * configured token, callers presenting `Authorization: Bearer <token>`; without one, callers on this machine only.
 * "On this machine" needs three checks, because a web page can make a visitor's browser a loopback caller: the
 * socket address is loopback, the request is not cross-site (Origin, Sec-Fetch-Site), and the Host header names a
 * loopback host (a page on attacker.example whose name was re-bound to 127.0.0.1 sends `Host: attacker.example`).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ErrorCode, GatewayError } from '../errors.js';

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * Whether a Host header names this machine's loopback interface: `localhost` (and `*.localhost`, which resolvers
 * must map to loopback, RFC 6761), `127.0.0.0/8`, `[::1]`, with or without a port.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    if (end < 0) return false;
    const rest = name.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return false;
    name = name.slice(1, end);
    return isIP(name) === 6 && isLoopback(name);
  }
  const colon = name.lastIndexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(name.slice(colon + 1))) return false;
    name = name.slice(0, colon);
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return isIP(name) === 4 && isLoopback(name);
}

/** Throws 401/403 unless the request may use a privileged endpoint guarded by `token` (empty = none configured). */
export function checkPrivileged(
  req: IncomingMessage,
  token: string,
  what = 'push API',
  tokenKey = 'PUSH_TOKEN',
): void {
  if (token === '') {
    if (isCrossSite(req)) {
      throw new GatewayError(
        ErrorCode.Forbidden,
        `cross-site ${what} requests are refused; configure ${tokenKey}`,
      );
    }
    if (!isLoopback(req.socket.remoteAddress)) {
      throw new GatewayError(
        ErrorCode.Forbidden,
        `${what} accepts loopback callers only; configure ${tokenKey} to allow remote callers`,
      );
    }
    if (!isLoopbackHost(req.headers.host)) {
      throw new GatewayError(
        ErrorCode.Forbidden,
        `${what} without a token needs a loopback Host header (localhost, 127.0.0.1, [::1]); configure ${tokenKey} to call it by another name`,
      );
    }
    return;
  }
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (!secretEquals(m?.[1]?.trim() ?? '', token)) {
    throw new GatewayError(ErrorCode.Unauthorized, `${what} requires "Authorization: Bearer <token>"`);
  }
}

/**
 * The server API's rule (Centrifugo's): with `apiKey` set, the key in `X-API-Key: KEY`, `Authorization: apikey KEY`
 * or `?api_key=KEY`; without one, {@link checkPrivileged}'s same-machine rule.
 */
export function checkApiKey(req: IncomingMessage, apiKey: string): void {
  if (apiKey === '') return checkPrivileged(req, '', 'server API', 'API_KEY');
  const header = req.headers['x-api-key'];
  let given = typeof header === 'string' ? header.trim() : '';
  if (given === '') given = /^apikey\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  if (given === '') given = new URL(req.url ?? '/', 'http://x.invalid').searchParams.get('api_key') ?? '';
  if (!secretEquals(given, apiKey)) {
    throw new GatewayError(
      ErrorCode.Unauthorized,
      'server API requires "X-API-Key: <key>" or "Authorization: apikey <key>"',
    );
  }
}

/** Compares a presented secret with the configured one in constant time (for equal lengths). */
function secretEquals(given: string, want: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(want, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The push API's rule: {@link checkPrivileged} with `pushToken`. */
export function checkPushAuth(req: IncomingMessage, token: string): void {
  checkPrivileged(req, token);
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
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
