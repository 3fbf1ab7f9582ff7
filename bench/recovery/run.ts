/**
 * One engine's run of the recovery benchmark: a fresh server process, a warm-up cycle, then the measured cycle —
 * every client subscribes and keeps its position, all go away, `missed` messages are published over the server
 * API, and all come back at once asking to recover. Server CPU (and Redis's commands and CPU) around each phase.
 */
import { Deadline } from '../fanout/deadline.js';
import { percentile } from '../fanout/latency.js';
import { ServerProcess, type CpuTime } from '../fanout/server-process.js';
import { RECOVERY_NAMESPACE } from '../fanout/servers/tars-ws-recovery-server.js';
import { closeAndWait, recoveryProblem, subscribe, type Position, type Subscribed } from './client.js';
import type { Engine, RecoveryOptions } from './options.js';
import { redisDelta, sampleRedis, type RedisDelta, type RedisSample } from './redis-stats.js';

/** Server CPU, and what Redis did, over one phase. */
export interface PhaseCost {
  seconds: number;
  cpuUs: number;
  redis: RedisDelta | undefined;
}

export interface RecoveryResult {
  engine: Engine;
  clients: number;
  missed: number;
  /** The first subscribe of every client (connect + subscribe, position in the reply). */
  subscribe: PhaseCost;
  /** The reconnect of every client at once with `recover: true`, until the last reply. */
  recovery: PhaseCost;
  /** Clients whose reply was a full recovery (recovered, every missed publication in order). */
  recovered: number;
  /** From the start of the reconnect to the last reply, ms. */
  allMs: number;
  /** Reply times from the start of the reconnect, ms. */
  p50Ms: number;
  p99Ms: number;
  note: string;
}

const WARMUP_CLIENTS = 50;
const REPLY_TIMEOUT_MS = 20_000;

export async function runEngine(
  engine: Engine,
  opts: RecoveryOptions,
  redisUrl: string | undefined,
): Promise<RecoveryResult> {
  const deadline = new Deadline(opts.timeout);
  const server = await ServerProcess.start(
    engine === 'memory' ? 'tars-ws-recovery' : 'tars-ws-recovery-redis',
    undefined,
    redisUrl === undefined ? {} : { BENCH_REDIS_URL: redisUrl },
  );
  const probe = engine === 'redis' ? redisUrl : undefined;
  try {
    await deadline.race(
      cycle(server, engine, `${RECOVERY_NAMESPACE}:warmup`, Math.min(WARMUP_CLIENTS, opts.clients), opts),
      () => 'warming up',
    );
    return await deadline.race(
      cycle(server, engine, `${RECOVERY_NAMESPACE}:x`, opts.clients, opts, probe),
      () => 'measuring',
    );
  } catch (err) {
    const zero: PhaseCost = { seconds: 0, cpuUs: 0, redis: undefined };
    const note = `failed: ${err instanceof Error ? err.message : String(err)}`;
    const { clients, missed } = opts;
    return {
      engine,
      clients,
      missed,
      subscribe: zero,
      recovery: zero,
      recovered: 0,
      allMs: 0,
      p50Ms: 0,
      p99Ms: 0,
      note,
    };
  } finally {
    await server.stop();
  }
}

/** One cycle on `channel`; with `redisUrl`, Redis's counters are read around each phase. */
async function cycle(
  server: ServerProcess,
  engine: Engine,
  channel: string,
  clients: number,
  opts: RecoveryOptions,
  redisUrl?: string,
): Promise<RecoveryResult> {
  // First subscribe, a few connects at a time (more overflows the listen backlog): each client's position.
  let mark = await Mark.take(server, redisUrl);
  const first: Subscribed[] = [];
  for (let i = 0; i < clients; i += opts.concurrency) {
    const n = Math.min(opts.concurrency, clients - i);
    const batch = Array.from({ length: n }, () =>
      subscribe(server.url, channel, undefined, REPLY_TIMEOUT_MS),
    );
    first.push(...(await Promise.all(batch)));
  }
  const subscribeCost = await mark.cost();
  const positions = first.map((s) => positionOf(s));
  await Promise.all(first.map((s) => closeAndWait(s.ws)));

  await publish(server.url, channel, opts.missed);

  // All come back at once, each asking to recover from its own position.
  mark = await Mark.take(server, redisUrl);
  const t0 = performance.now();
  const times = new Float64Array(clients);
  const back = await Promise.all(
    positions.map(async (since, i) => {
      const s = await subscribe(server.url, channel, since, REPLY_TIMEOUT_MS);
      times[i] = performance.now() - t0;
      return s;
    }),
  );
  const recoveryCost = await mark.cost();
  await Promise.all(back.map((s) => closeAndWait(s.ws)));

  const problems = back
    .map((s, i) => recoveryProblem(s.result, positions[i] as Position, opts.missed))
    .filter((p) => p !== undefined);
  times.sort();
  return {
    engine,
    clients,
    missed: opts.missed,
    subscribe: subscribeCost,
    recovery: recoveryCost,
    recovered: clients - problems.length,
    allMs: times[clients - 1] ?? 0,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    note: problems.length === 0 ? '' : `${problems.length} not recovered, e.g. ${problems[0]}`,
  };
}

function positionOf(s: Subscribed): Position {
  const { epoch, offset } = s.result;
  if (s.result.recoverable !== true || epoch === undefined) {
    throw new Error('the subscribe reply has no recoverable position (is forceRecovery on?)');
  }
  return { epoch, offset: offset ?? 0 };
}

/** Publishes `count` messages to `channel` through the server API (a loopback caller needs no key), one by one. */
async function publish(url: string, channel: string, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) {
    const res = await fetch(`${url}/api/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel, data: { n, text: 'x'.repeat(80) } }),
    });
    const body = (await res.json()) as { error?: { message?: string } };
    if (!res.ok || body.error !== undefined) {
      throw new Error(`publish ${n} refused: ${res.status} ${body.error?.message ?? ''}`);
    }
  }
}

/** The server's CPU time (and Redis's counters) at the start of a phase. */
class Mark {
  readonly #server: ServerProcess;
  readonly #redisUrl: string | undefined;
  readonly #cpu: CpuTime;
  readonly #redis: RedisSample | undefined;
  readonly #at: number;

  private constructor(
    server: ServerProcess,
    redisUrl: string | undefined,
    cpu: CpuTime,
    redis: RedisSample | undefined,
  ) {
    this.#server = server;
    this.#redisUrl = redisUrl;
    this.#cpu = cpu;
    this.#redis = redis;
    this.#at = performance.now();
  }

  static async take(server: ServerProcess, redisUrl: string | undefined): Promise<Mark> {
    const redis = redisUrl === undefined ? undefined : await sampleRedis(redisUrl);
    return new Mark(server, redisUrl, await server.cpu(), redis);
  }

  async cost(): Promise<PhaseCost> {
    const seconds = (performance.now() - this.#at) / 1000;
    const cpu = await this.#server.cpu();
    const cpuUs = cpu.user - this.#cpu.user + (cpu.system - this.#cpu.system);
    const after = this.#redisUrl === undefined ? undefined : await sampleRedis(this.#redisUrl);
    const redis = this.#redis && after ? redisDelta(this.#redis, after) : undefined;
    return { seconds, cpuUs, redis };
  }
}
