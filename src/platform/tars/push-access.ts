/**
 * Who may call PushObj. Two independent rules, checked on every call (the reads roomMembers, roomCount and roomList
 * included) before anything else: the caller's address must match the PushObj adapter's `allow` list of the Tars
 * config, and, when `pushObjToken` is set, the call's Tars context must carry it under {@link PUSH_OBJ_TOKEN_KEY}.
 */
import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, GatewayError } from '../../errors.js';

/** The Tars context key a PushObj caller puts the token in. */
export const PUSH_OBJ_TOKEN_KEY = 'token';

/**
 * An adapter's `allow` value as TarsCpp reads it: entries separated by `;` or `,`, blanks dropped. Each entry is an
 * address, where `*` stands for one dot-separated part (`10.0.*.*`).
 */
export function parseAllowList(raw: string): string[] {
  return raw
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `::ffff:10.0.0.7` (an IPv4 caller on a dual-stack socket) is `10.0.0.7`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** TarsCpp's `matchPeriod`: `*` matches one or more characters up to the next `.`; anything else matches itself. */
function matchesEntry(address: string, entry: string): boolean {
  if (!entry.includes('*')) return address === entry;
  const pattern = entry
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^.]+');
  return new RegExp(`^${pattern}$`).test(address);
}

/** Whether `address` may call: an empty list allows everyone, as in TarsCpp. */
export function addressAllowed(address: string, allow: readonly string[]): boolean {
  if (allow.length === 0) return true;
  const a = plainAddress(address);
  return allow.some((entry) => matchesEntry(a, entry));
}

/** What a PushObj call is checked against. */
export interface PushObjRule {
  /** The adapter's `allow` list ({@link parseAllowList}); empty: every address. */
  readonly allow: readonly string[];
  /** `pushObjToken`; empty: no token asked. */
  readonly token: string;
}

/** The caller as the Tars server saw it. */
export interface PushObjCaller {
  readonly remoteAddress: string;
  readonly context: ReadonlyMap<string, string>;
}

/**
 * Throws FORBIDDEN (403) for an address outside the allow list and UNAUTHORIZED (401) for a missing or wrong
 * token; returns when the call may go on.
 */
export function checkPushObjCaller(caller: PushObjCaller, rule: PushObjRule): void {
  if (!addressAllowed(caller.remoteAddress, rule.allow)) {
    throw new GatewayError(
      ErrorCode.Forbidden,
      `${plainAddress(caller.remoteAddress)} is not in the PushObj adapter's allow list`,
    );
  }
  if (rule.token === '') return;
  const given = Buffer.from(caller.context.get(PUSH_OBJ_TOKEN_KEY) ?? '', 'utf8');
  const want = Buffer.from(rule.token, 'utf8');
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new GatewayError(
      ErrorCode.Unauthorized,
      `PushObj requires the token in the Tars context under "${PUSH_OBJ_TOKEN_KEY}"`,
    );
  }
}
