/** A deadline for one awaited event, so that a missing event fails its test with a message instead of hanging it. */

/**
 * Settles like `promise`, or rejects after `withinMs` with "<what> did not happen within N ms". `what` may be a
 * function, called at the deadline, to tell what did happen meanwhile.
 *
 * @example await within(once(child, 'exit'), 5000, 'the child exiting');
 */
export function within<T>(promise: Promise<T>, withinMs: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const text = typeof what === 'string' ? what : what();
      reject(new Error(`${text} did not happen within ${withinMs} ms`));
    }, withinMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
