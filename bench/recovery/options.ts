/**
 * Command-line options of the recovery benchmark, resolved once into a complete {@link RecoveryOptions}.
 * `--quick` swaps the defaults for a smoke run of a few seconds; explicit flags still win over it.
 */
import { Flags } from '../fanout/flags.js';

export { UsageError } from '../fanout/flags.js';

/** The history engine the server runs on. */
export type Engine = 'memory' | 'redis';
export const ENGINES: readonly Engine[] = ['memory', 'redis'];

export interface RecoveryOptions {
  /** Clients that subscribe, go away and come back. Default 1000 (quick: 100); at most 8000, below the open files limit. */
  clients: number;
  /** Messages published while they are away. Default 100 (quick: 20); at most 300, the publication limit of a recovery. */
  missed: number;
  /** Connects under way at once in the first subscribe (the reconnect opens all at once). Default 50. */
  concurrency: number;
  engines: Engine[];
  /** Bound of one engine's run, server start to close, in seconds. Default 60 (quick: 30). */
  timeout: number;
  /**
   * Redis of the Redis engine; default a redis-server this benchmark starts on a free port, so that INFO
   * commandstats counts the gateway's commands only (127.0.0.1:6379 when there is no redis-server binary).
   */
  redisUrl: string | undefined;
  /** Results file; default bench/results/recovery.md for full runs, none for --quick. */
  out: string | undefined;
  quick: boolean;
}

export const USAGE = `usage: npm run bench:recovery -- [--clients N] [--missed M] [--concurrency C]
  [--engines memory,redis] [--timeout S] [--redis-url URL] [--out FILE|-] [--quick]`;

export function parseOptions(argv: readonly string[]): RecoveryOptions {
  const flags = new Flags(argv, ['quick'], USAGE);
  const options: RecoveryOptions = {
    clients: flags.int('clients', 1000, 100, 1, 8000),
    missed: flags.int('missed', 100, 20, 1, 300),
    concurrency: flags.int('concurrency', 50, 50, 1, 500),
    engines: flags.list('engines', ENGINES, ENGINES),
    timeout: flags.int('timeout', 60, 30, 5, 600),
    redisUrl: flags.string('redis-url'),
    out: undefined,
    quick: flags.quick,
  };
  const out = flags.string('out');
  options.out = out === '-' ? undefined : (out ?? (flags.quick ? undefined : 'bench/results/recovery.md'));
  flags.done();
  return options;
}
