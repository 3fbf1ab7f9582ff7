/**
 * Command-line options of the connect benchmark, resolved once into a complete {@link ConnectOptions}.
 * `--quick` swaps the defaults for a smoke run of a few seconds; explicit flags still win over it.
 */
import { Flags } from '../fanout/flags.js';

export { UsageError } from '../fanout/flags.js';

/** `anonymous`: `{"connect":{}}`; `hs256`: `{"connect":{"token":...}}` with an HS256 token of its own user. */
export type ConnectMode = 'anonymous' | 'hs256';
export const CONNECT_MODES: readonly ConnectMode[] = ['anonymous', 'hs256'];

export interface ConnectOptions {
  /** Connections opened (and kept open) per run. Default 2000 (quick: 200); at most 8000, below the open files limit. */
  connections: number;
  /** Connections opened and closed before measuring, so the server runs JIT-compiled code. Default 200 (quick: 20). */
  warmup: number;
  /** Connects under way at once. Default 50 (more overflows the listen backlog). */
  concurrency: number;
  /** Times each mode is run (interleaved, each on a fresh server process); tables show the median. Default 3 (quick: 1). */
  rounds: number;
  modes: ConnectMode[];
  /** Bound of one run, server start to close, in seconds. Default 30. */
  timeout: number;
  /** Results file; default bench/results/connect.md for full runs, none for --quick. */
  out: string | undefined;
  /** Folder to write a `--cpu-prof` profile of each server process into; default none. */
  profileDir: string | undefined;
  quick: boolean;
}

export const USAGE = `usage: npm run bench:connect -- [--connections N] [--warmup W] [--concurrency C] [--rounds K]
  [--modes anonymous,hs256] [--timeout S] [--out FILE|-] [--profile DIR] [--quick]`;

export function parseOptions(argv: readonly string[]): ConnectOptions {
  const flags = new Flags(argv, ['quick'], USAGE);
  const options: ConnectOptions = {
    connections: flags.int('connections', 2000, 200, 1, 8000),
    warmup: flags.int('warmup', 200, 20, 0, 8000),
    concurrency: flags.int('concurrency', 50, 50, 1, 500),
    rounds: flags.int('rounds', 3, 1, 1, 20),
    modes: flags.list('modes', CONNECT_MODES, CONNECT_MODES),
    timeout: flags.int('timeout', 30, 30, 5, 600),
    out: undefined,
    profileDir: flags.string('profile'),
    quick: flags.quick,
  };
  const out = flags.string('out');
  options.out = out === '-' ? undefined : (out ?? (flags.quick ? undefined : 'bench/results/connect.md'));
  flags.done();
  return options;
}
