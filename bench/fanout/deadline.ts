/**
 * The bound of one measured run, shared by the fan-out and connect benchmarks: every wait races it, so a server
 * that stops answering yields a partial result instead of a hang.
 */

export class Deadline {
  readonly at: number;
  constructor(seconds: number) {
    this.at = performance.now() + seconds * 1000;
  }
  get left(): number {
    return this.at - performance.now();
  }
  check(what: string): void {
    if (this.left <= 0) throw new Error(`run timeout while ${what}`);
  }
  /** Settles like `work`, or rejects when the deadline comes first (a connect that never completes). */
  async race<T>(work: Promise<T>, what: () => string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`run timeout while ${what()}`)), Math.max(0, this.left));
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
