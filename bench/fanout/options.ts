/**
 * Command-line options of the fan-out benchmark, resolved once into a complete {@link BenchOptions}.
 * `--quick` swaps the defaults for a smoke run of a few seconds; explicit flags still win over it.
 */
import { Flags } from './flags.js';
import { DEFAULT_TARGETS, TARGET_NAMES, type TargetName } from './targets.js';

export { UsageError } from './flags.js';

/**
 * `burst`: the messages at once; `steady`: at a fixed rate; `pipelined`: a larger burst from the same one connection,
 * numbered so each subscriber's order is checked (a client that does not wait for replies).
 */
export type Mode = 'burst' | 'steady' | 'pipelined';
export const MODES: readonly Mode[] = ['burst', 'steady', 'pipelined'];

export interface BenchOptions {
  /** Members of the one room. Default 1000 (quick: 100). */
  subscribers: number;
  /** Messages published in burst mode. Default 200 (quick: 20). */
  messages: number;
  /** Numbered messages one connection writes at once in pipelined mode, without waiting for replies. Default 1000. */
  pipelined: number;
  /** Messages per second in steady mode. Default 50 (quick: 20). */
  rate: number;
  /** Length of the steady phase in seconds. Default 5 (quick: 1). */
  duration: number;
  /** Characters per published message (timestamp + padding). Default 100. */
  size: number;
  /**
   * Messages published (at once) and awaited before measuring, so every server runs JIT-compiled code: at least this
   * many, and at least enough for `warmupDeliveries` deliveries (see {@link warmupMessages}). Default 20.
   */
  warmup: number;
  /**
   * Deliveries the warm-up reaches at least: V8 compiles a hot path after enough calls, not enough messages, and
   * code compiled during the measured phase would be counted in it (on V8's background threads). Default 200,000
   * (quick: 0).
   */
  warmupDeliveries: number;
  /** Times every target and mode is run (interleaved); tables show the median. Default 3 (quick: 1). */
  rounds: number;
  /**
   * Servers to measure, in order. Default tars-ws, tars-ws-centrifuge, tars-ws-mixed, ws, socket.io (`ws-corked`
   * only when named).
   */
  targets: TargetName[];
  /** Modes to run, in order. Default all three. */
  modes: Mode[];
  /** Bound of one target and mode, connect to close, in seconds. Default 60. */
  timeout: number;
  /** A phase ends early when no delivery arrived for this long, in seconds. Default 5. */
  stall: number;
  /** Results file; default bench/results/fanout.md for full runs, none for --quick. */
  out: string | undefined;
  /** Folder to write a CPU profile of each server process's measured phase into; default none. */
  profileDir: string | undefined;
  quick: boolean;
}

export const USAGE = `usage: npm run bench:fanout -- [--subscribers N] [--messages M] [--pipelined P] [--rate R]
  [--duration S] [--size CHARS] [--warmup W] [--warmup-deliveries D] [--rounds K]
  [--targets tars-ws,tars-ws-centrifuge,tars-ws-mixed,ws,socket.io,ws-corked,tars-ws-stats,tars-ws-metrics,
             tars-ws-history,tars-ws-history-redis]
  [--modes burst,steady,pipelined] [--timeout S] [--stall S] [--out FILE|-] [--profile DIR] [--quick]
  [--stats (adds tars-ws-stats: tars-ws with statistics reporting on; results in bench/results/fanout-stats.md)]
  [--metrics (adds tars-ws-metrics: tars-ws with Prometheus metrics on; results in bench/results/fanout-metrics.md)]
  [--history (adds tars-ws-history and tars-ws-history-redis: tars-ws with the room keeping history on the memory
             and Redis engines, Redis at 127.0.0.1:6379 or BENCH_REDIS_URL; results in bench/results/fanout-history.md)]`;

/** Messages of the warm-up: `warmup`, or more to reach `warmupDeliveries` with this many subscribers (at most 10,000). */
export function warmupMessages(opts: BenchOptions): number {
  if (opts.warmup === 0) return 0;
  const needed = Math.ceil(opts.warmupDeliveries / Math.max(1, opts.subscribers));
  return Math.min(10_000, Math.max(opts.warmup, needed));
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const flags = new Flags(argv, ['quick', 'stats', 'metrics', 'history'], USAGE);
  const int = flags.int.bind(flags);
  const options: BenchOptions = {
    subscribers: int('subscribers', 1000, 100, 1, 20_000),
    messages: int('messages', 200, 20, 1, 100_000),
    // The point of this mode is to pass the gateway's per-connection pending bound (256): no smaller quick default.
    pipelined: int('pipelined', 1000, 1000, 1, 100_000),
    rate: int('rate', 50, 20, 1, 10_000),
    duration: int('duration', 5, 1, 1, 600),
    size: int('size', 100, 100, 24, 65_536),
    warmup: int('warmup', 20, 5, 0, 10_000),
    warmupDeliveries: int('warmup-deliveries', 200_000, 0, 0, 10_000_000),
    rounds: int('rounds', 3, 1, 1, 100),
    targets: flags.list('targets', TARGET_NAMES, DEFAULT_TARGETS),
    modes: flags.list('modes', MODES, MODES),
    timeout: int('timeout', 60, 60, 5, 3600),
    stall: int('stall', 5, 5, 1, 600),
    out: undefined,
    profileDir: flags.string('profile'),
    quick: flags.quick,
  };
  // --stats: also run tars-ws with statistics reporting on, right after tars-ws, to compare the two.
  const stats = flags.bool('stats');
  if (stats) addAfterTarsWs(options.targets, ['tars-ws-stats']);
  // --metrics: likewise with Prometheus metrics on.
  const metrics = flags.bool('metrics');
  if (metrics) addAfterTarsWs(options.targets, ['tars-ws-metrics']);
  // --history: likewise with the room keeping history, on each engine.
  const history = flags.bool('history');
  if (history) addAfterTarsWs(options.targets, ['tars-ws-history', 'tars-ws-history-redis']);
  const out = flags.string('out');
  const defaultOut = history
    ? 'bench/results/fanout-history.md'
    : metrics
      ? 'bench/results/fanout-metrics.md'
      : stats
        ? 'bench/results/fanout-stats.md'
        : 'bench/results/fanout.md';
  options.out = out === '-' ? undefined : (out ?? (flags.quick ? undefined : defaultOut));
  flags.done();
  return options;
}

/** Puts each of `added` not yet among `targets` after `tars-ws` (at the end without it), in the given order. */
function addAfterTarsWs(targets: TargetName[], added: readonly TargetName[]): void {
  let at = targets.indexOf('tars-ws');
  at = at < 0 ? targets.length : at + 1;
  for (const t of added) {
    if (targets.includes(t)) continue;
    targets.splice(at++, 0, t);
  }
}
