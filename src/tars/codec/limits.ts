/**
 * Bounds a {@link TarsReader} enforces so that hostile input cannot exhaust memory or the stack: every length on
 * the wire is checked against these and against the bytes that actually remain before anything is allocated.
 */

/** Decoder bounds. Every field is optional when passed to a reader; missing ones take the defaults below. */
export interface DecodeLimits {
  /** Largest input a reader accepts, in bytes. Default 10 MiB (the default packet maximum). */
  maxBytes: number;
  /** Deepest nesting of structs, lists and maps (skipped ones included). Default 64. */
  maxDepth: number;
  /** Most elements in one list or entries in one map. Default 1,000,000. */
  maxCollectionLength: number;
  /** Longest string or `vector<byte>`, in bytes. Default 10 MiB. */
  maxStringBytes: number;
}

/** The defaults, frozen; used as is when a reader gets no limits. */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxDepth: 64,
  maxCollectionLength: 1_000_000,
  maxStringBytes: 10 * 1024 * 1024,
});

/**
 * Fills missing fields with defaults and validates the rest (non-negative integers).
 * @throws RangeError naming the bad key — a configuration mistake, not a decode failure.
 */
export function resolveDecodeLimits(limits?: Partial<DecodeLimits>): Readonly<DecodeLimits> {
  if (limits === undefined || limits === DEFAULT_DECODE_LIMITS) return DEFAULT_DECODE_LIMITS;
  if (resolved.has(limits)) return limits as Readonly<DecodeLimits>;
  const out: DecodeLimits = { ...DEFAULT_DECODE_LIMITS };
  for (const key of Object.keys(DEFAULT_DECODE_LIMITS) as (keyof DecodeLimits)[]) {
    const v = limits[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`DecodeLimits.${key} must be a non-negative integer, got ${String(v)}`);
    }
    out[key] = v;
  }
  const frozen = Object.freeze(out);
  resolved.add(frozen);
  return frozen;
}

/** Limits objects this module produced, so passing one on to a nested reader costs nothing. */
const resolved = new WeakSet<object>();
