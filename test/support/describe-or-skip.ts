/**
 * Suites that need something the machine may lack (Redis, NATS, Chromium, a binary). node:test counts a skipped
 * `describe` in no summary line (the run ends with "skipped 0"), so a suite skipped through this helper is replaced
 * by one skipped test of the same name: the summary counts it and the reporter prints the reason next to it.
 */
import { describe, it } from 'node:test';

/** `describe`'s options as these suites use them; `skip` is the reason, or a falsy value to run. */
export interface SuiteOptions {
  skip?: string | false | undefined;
  timeout?: number;
}

/**
 * `describe(name, options, fn)`, except that when `options.skip` gives a reason the body does not run (no hooks,
 * no connections) and one test named `name` is reported as skipped with that reason.
 *
 * @example
 *   describeOrSkip('RedisRoomStore', { skip: redis.skip }, () => { ... });
 */
export function describeOrSkip(name: string, options: SuiteOptions, fn: () => void): void {
  const { skip, ...rest } = options;
  if (skip) {
    it(name, { skip }, () => undefined);
    return;
  }
  void describe(name, rest, fn);
}
