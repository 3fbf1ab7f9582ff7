/**
 * Counts this process's traffic per stat key: WebSocket commands, HTTP routes and the Tars calls it makes. The
 * observer methods run on the message path: a map lookup and a few additions, no allocation once a key has been
 * seen, no I/O. {@link StatCollector.drain} hands the figures over (about once a second) and resets them in place.
 */
import type { CallObserver } from '../../tars/rpc/object-proxy.js';
import { Outcome, StatCounter, type StatRecord } from '../../stats/stat-counter.js';

/** Traffic kinds: server-side WebSocket commands and HTTP routes, client-side Tars calls. */
export type StatKind = 'ws' | 'http' | 'tars';

/**
 * The figures of one key over an interval. `name` is the command or route; for `tars` it is
 * `servant\nfunc\nhost\nport` (see {@link parseCallName}). `ret` is the return value of the key: 0 / -1 for a
 * command that succeeded / failed, the HTTP status, or the Tars iRet.
 */
export interface StatEntry {
  kind: StatKind;
  name: string;
  ret: number;
  record: StatRecord;
}

/** Name under which keys past the per-kind limit are counted. */
export const OTHER = '(other)';
/** Route name of every 404 (so that probes of random paths do not create keys). */
export const NOT_FOUND = '(not found)';

export interface StatCollectorOptions {
  /** Most distinct names per kind; later ones count as {@link OTHER}. Default 500. */
  maxNamesPerKind?: number;
}

type ByName = Map<string, Map<number, StatCounter>>;

export class StatCollector {
  readonly #byKind: Record<StatKind, ByName> = { ws: new Map(), http: new Map(), tars: new Map() };
  readonly #maxNames: number;

  constructor(options: StatCollectorOptions = {}) {
    this.#maxNames = options.maxNamesPerKind ?? 500;
  }

  /** A WebSocket command was handled (the gateway's `message` hook). */
  readonly message = (cmd: string, ok: boolean, elapsedMs: number): void => {
    this.#counter('ws', cmd, ok ? 0 : -1).add(ok ? Outcome.Success : Outcome.Error, elapsedMs);
  };

  /** An HTTP request was answered (the gateway's `http` hook); a status of 400 or more counts as a failure. */
  readonly http = (route: string, status: number, elapsedMs: number): void => {
    const name = status === 404 ? NOT_FOUND : route;
    this.#counter('http', name, status).add(status < 400 ? Outcome.Success : Outcome.Error, elapsedMs);
  };

  /** A Tars call this process made finished (an ObjectProxy observer). Off the message path: one string per call. */
  readonly call: CallObserver = (servant, func, host, port, ret, elapsedMs, timedOut) => {
    const outcome = timedOut ? Outcome.Timeout : ret === 0 ? Outcome.Success : Outcome.Error;
    this.#counter('tars', `${servant}\n${func}\n${host}\n${port}`, ret).add(outcome, elapsedMs);
  };

  /** The figures of every key that saw traffic since the last drain; resets them. */
  drain(): StatEntry[] {
    const out: StatEntry[] = [];
    for (const kind of ['ws', 'http', 'tars'] as const) {
      for (const [name, byRet] of this.#byKind[kind]) {
        for (const [ret, counter] of byRet) {
          if (counter.empty) continue;
          out.push({ kind, name, ret, record: counter.toRecord() });
          counter.reset();
        }
      }
    }
    return out;
  }

  #counter(kind: StatKind, name: string, ret: number): StatCounter {
    const names = this.#byKind[kind];
    let byRet = names.get(name);
    if (byRet === undefined) {
      if (names.size >= this.#maxNames && name !== OTHER) return this.#counter(kind, OTHER, ret);
      byRet = new Map();
      names.set(name, byRet);
    }
    let counter = byRet.get(ret);
    if (counter === undefined) {
      counter = new StatCounter();
      byRet.set(ret, counter);
    }
    return counter;
  }
}

/** The parts of a `tars` entry's name. */
export function parseCallName(name: string): { servant: string; func: string; host: string; port: number } {
  const [servant = '', func = '', host = '', port = '0'] = name.split('\n');
  return { servant, func, host, port: Number(port) };
}
