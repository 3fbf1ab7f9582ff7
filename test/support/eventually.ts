/**
 * Waits for a condition that becomes true by itself (a TTL expiring, a reconnection): checks it every `everyMs`
 * and fails with the last value seen after `withinMs`. The bound is a deadline, not a measurement.
 */
export async function eventually<T>(
  read: () => Promise<T> | T,
  accept: (value: T) => boolean,
  {
    withinMs = 10_000,
    everyMs = 50,
    what = 'condition',
  }: { withinMs?: number; everyMs?: number; what?: string } = {},
): Promise<T> {
  const until = Date.now() + withinMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > until) {
      throw new Error(
        `${what} not reached within ${withinMs} ms; last value ${JSON.stringify(last)}` +
          (lastErr ? `, last error ${(lastErr as Error).message}` : ''),
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
