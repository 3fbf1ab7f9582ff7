/**
 * Command-line flags of the benchmarks: `--name value`, `--name=value` and boolean `--name`, read once, each
 * checked against its range; `--quick` switches every default to its smoke-run value. Anything left is an error.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, usage: string) {
    super(`${message}\n${usage}`);
  }
}

export class Flags {
  readonly #values = new Map<string, string>();
  readonly #usage: string;
  /** `--quick` was given: {@link int} answers smoke-run defaults. */
  readonly quick: boolean;

  /** `booleans` are the flags that take no value (`quick` among them when the benchmark has a smoke run). */
  constructor(argv: readonly string[], booleans: readonly string[], usage: string) {
    this.#usage = usage;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      if (!arg.startsWith('--')) throw this.error(`unexpected argument ${JSON.stringify(arg)}`);
      const eq = arg.indexOf('=');
      if (eq > 0) {
        this.#values.set(arg.slice(2, eq), arg.slice(eq + 1));
      } else if (booleans.includes(arg.slice(2))) {
        this.#values.set(arg.slice(2), 'true');
      } else {
        const value = argv[++i];
        if (value === undefined) throw this.error(`${arg} needs a value`);
        this.#values.set(arg.slice(2), value);
      }
    }
    this.quick = this.bool('quick');
  }

  error(message: string): UsageError {
    return new UsageError(message, this.#usage);
  }

  bool(name: string): boolean {
    const on = this.#values.get(name) === 'true';
    this.#values.delete(name);
    return on;
  }

  string(name: string): string | undefined {
    const value = this.#values.get(name);
    this.#values.delete(name);
    return value;
  }

  /** An integer flag from `min` to `max`; when absent, `full`, or `smoke` under --quick. */
  int(name: string, full: number, smoke: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return this.quick ? smoke : full;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw this.error(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    }
    return n;
  }

  /** A comma-separated list of `known` names; `defaults` when absent. */
  list<T extends string>(name: string, known: readonly T[], defaults: readonly T[]): T[] {
    const raw = this.string(name);
    if (raw === undefined) return [...defaults];
    const picked = raw.split(',').map((s) => s.trim());
    for (const p of picked) {
      if (!(known as readonly string[]).includes(p)) {
        throw this.error(`--${name}: unknown ${JSON.stringify(p)}; accepted: ${known.join(', ')}`);
      }
    }
    return picked as T[];
  }

  /** Throws for the first flag no reader asked for. */
  done(): void {
    const unknown = [...this.#values.keys()];
    if (unknown.length > 0) throw this.error(`unknown option --${unknown[0]}`);
  }
}
