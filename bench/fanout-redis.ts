/**
 * Scale-out benchmark (`npx tsx bench/fanout-redis.ts`): the same room of N subscribers served by one gateway
 * process on its own, by one process over Redis, and by two processes over Redis (subscribers split evenly, the
 * publisher on the first). It measures how efficiently Redis spreads the work: server CPU per delivery (every gateway
 * process plus Redis) and publish-to-receive latency. On a 2-core machine raw throughput cannot grow, so the goal
 * is efficiency: two nodes at most 1.3x the single node's CPU per delivery, p99 under 2x. Not a test.
 *
 * Reuses the fan-out benchmark's client adapter and latency recorder (bench/fanout/); gateway nodes are the test
 * suite's child-process nodes (test/support/gateway-node.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientConnection } from './fanout/clients/client.js';
import { tarsWsClient } from './fanout/clients/tars-ws-client.js';
import { DeliveryRecorder, stampedMessage, type LatencySummary } from './fanout/latency.js';
import { machineInfo } from './fanout/machine.js';
import { GatewayNode } from '../test/support/node-process.js';
import { hasRedisServerBinary, ping, SpawnedRedis, wipePrefix } from '../test/support/redis-server.js';

interface Options {
  subscribers: number;
  messages: number;
  rate: number;
  duration: number;
  size: number;
  warmup: number;
  rounds: number;
  modes: Mode[];
  out: string | undefined;
}
type Mode = 'burst' | 'steady';

const SETUPS = [
  { name: '1 node, local', nodes: 1, redis: false },
  { name: '1 node, redis', nodes: 1, redis: true },
  { name: '2 nodes, redis', nodes: 2, redis: true },
] as const;
type Setup = (typeof SETUPS)[number];

const ROOM = 'room1';
const CONNECT_CONCURRENCY = 50;
const STALL_MS = 5000;
const RUN_TIMEOUT_MS = 90_000;

interface Result {
  setup: Setup['name'];
  mode: Mode;
  expected: number;
  delivered: number;
  deliveriesPerSec: number;
  /** Gateway processes plus Redis, µs. */
  cpuUs: number;
  redisCpuUs: number;
  latency: LatencySummary;
  note: string;
}

function parseOptions(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i] ?? '';
    const value = argv[i + 1];
    if (!name.startsWith('--') || value === undefined)
      throw new Error(`usage: --name value pairs, got ${name}`);
    flags.set(name.slice(2), value);
  }
  const int = (name: string, def: number): number => {
    const raw = flags.get(name);
    flags.delete(name);
    const n = raw === undefined ? def : Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
    return n;
  };
  const opts: Options = {
    subscribers: int('subscribers', 1000),
    messages: int('messages', 200),
    rate: int('rate', 50),
    duration: int('duration', 5),
    size: int('size', 100),
    warmup: int('warmup', 20),
    rounds: int('rounds', 3),
    modes: (flags.get('modes') ?? 'steady,burst').split(',') as Mode[],
    out: flags.get('out') === '-' ? undefined : (flags.get('out') ?? 'bench/results/fanout-redis.md'),
  };
  for (const k of ['modes', 'out']) flags.delete(k);
  if (flags.size > 0) throw new Error(`unknown option --${[...flags.keys()][0]}`);
  return opts;
}

async function runOnce(setup: Setup, mode: Mode, opts: Options, redisUrl: string): Promise<Result> {
  const prefix = `tars-ws-bench:${randomBytes(4).toString('hex')}:`;
  const env: Record<string, string> = { LOG_LEVEL: 'silent' };
  if (setup.redis)
    Object.assign(env, {
      ROOM_STORE: 'redis',
      BROKER: 'redis',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
    });
  const published = mode === 'burst' ? opts.messages : opts.rate * opts.duration;
  const recorder = new DeliveryRecorder(Math.max(opts.warmup, published) * opts.subscribers);
  const result: Result = {
    setup: setup.name,
    mode,
    expected: published * opts.subscribers,
    delivered: 0,
    deliveriesPerSec: 0,
    cpuUs: 0,
    redisCpuUs: 0,
    latency: { p50: 0, p99: 0, max: 0 },
    note: '',
  };
  const nodes: GatewayNode[] = [];
  const conns: ClientConnection[] = [];
  const until = performance.now() + RUN_TIMEOUT_MS;
  try {
    for (let i = 0; i < setup.nodes; i++) nodes.push(await GatewayNode.start(env));
    let next = 0;
    const connect = async (): Promise<void> => {
      while (next < opts.subscribers) {
        const node = nodes[next++ % nodes.length]!;
        conns.push(await tarsWsClient.subscribe(node.url, ROOM, recorder.record, conns.length));
      }
    };
    await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, connect));
    const publisher = await tarsWsClient.publisher(nodes[0]!.url);
    conns.push(publisher);
    const publish = (): void => publisher.publish(ROOM, stampedMessage(opts.size));

    for (let i = 0; i < opts.warmup; i++) publish();
    if ((await waitFor(recorder, opts.warmup * opts.subscribers, until)) !== 'done')
      throw new Error('warm-up failed');
    recorder.reset(result.expected);

    const cpuBefore = await cpuOf(nodes, setup.redis ? redisUrl : undefined);
    const t0 = performance.now();
    if (mode === 'burst') {
      for (let i = 0; i < published; i++) publish();
    } else {
      const interval = 1000 / opts.rate;
      for (let sent = 0; sent < published; sent++) {
        const wait = t0 + sent * interval - performance.now();
        if (wait > 0) await sleep(wait);
        publish();
      }
    }
    const end = await waitFor(recorder, result.expected, until);
    const delivered = recorder.count;
    const seconds = (recorder.lastAt - t0) / 1000;
    const cpuAfter = await cpuOf(nodes, setup.redis ? redisUrl : undefined);
    result.delivered = delivered;
    result.deliveriesPerSec = seconds > 0 ? delivered / seconds : 0;
    result.cpuUs = cpuAfter.total - cpuBefore.total;
    result.redisCpuUs = cpuAfter.redis - cpuBefore.redis;
    result.latency = recorder.summary(delivered);
    if (end !== 'done') result.note = `${end}: ${delivered} of ${result.expected}`;
  } catch (err) {
    result.note = `failed: ${(err as Error).message}`;
  } finally {
    for (const c of conns) c.close();
    await Promise.all(nodes.map((n) => n.stop()));
    if (setup.redis) await wipePrefix(redisUrl, prefix);
  }
  return result;
}

async function cpuOf(
  nodes: GatewayNode[],
  redisUrl: string | undefined,
): Promise<{ total: number; redis: number }> {
  const [readings, redisSeconds] = await Promise.all([
    Promise.all(nodes.map((n) => n.cpu())),
    redisUrl === undefined ? Promise.resolve(0) : SpawnedRedis.cpuSeconds(redisUrl),
  ]);
  const redis = redisSeconds * 1e6;
  return { total: readings.reduce((s, r) => s + r.user + r.system, 0) + redis, redis };
}

async function waitFor(recorder: DeliveryRecorder, expected: number, until: number): Promise<string> {
  let seen = -1;
  let progressAt = performance.now();
  while (recorder.count < expected) {
    const now = performance.now();
    if (now > until) return 'timeout';
    if (recorder.count !== seen) {
      seen = recorder.count;
      progressAt = now;
    } else if (now - progressAt > STALL_MS) return 'stalled';
    await sleep(20);
  }
  return 'done';
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};

interface Row {
  setup: Setup['name'];
  mode: Mode;
  delivered: string;
  perSec: number;
  cpuPerDelivery: number;
  /** Lowest and highest round, to show how much the shared machine moved the median. */
  cpuRange: [number, number];
  redisPerDelivery: number;
  p50: number;
  p99: number;
  p99Range: [number, number];
  notes: string;
}

const range = (xs: number[]): [number, number] =>
  xs.length === 0 ? [0, 0] : [Math.min(...xs), Math.max(...xs)];

function summarize(results: Result[]): Row[] {
  const rows: Row[] = [];
  for (const mode of new Set(results.map((r) => r.mode))) {
    for (const setup of SETUPS) {
      const group = results.filter((r) => r.mode === mode && r.setup === setup.name);
      if (group.length === 0) continue;
      const ok = group.filter((r) => r.delivered > 0);
      rows.push({
        setup: setup.name,
        mode,
        delivered: `${group.reduce((s, r) => s + r.delivered, 0)} / ${group.reduce((s, r) => s + r.expected, 0)}`,
        perSec: median(ok.map((r) => r.deliveriesPerSec)),
        cpuPerDelivery: median(ok.map((r) => r.cpuUs / r.delivered)),
        cpuRange: range(ok.map((r) => r.cpuUs / r.delivered)),
        redisPerDelivery: median(ok.map((r) => r.redisCpuUs / r.delivered)),
        p50: median(ok.map((r) => r.latency.p50)),
        p99: median(ok.map((r) => r.latency.p99)),
        p99Range: range(ok.map((r) => r.latency.p99)),
        notes: [...new Set(group.map((r) => r.note).filter((n) => n !== ''))].join('; '),
      });
    }
  }
  return rows;
}

function tables(rows: Row[]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  const out = [
    line([
      'setup',
      'mode',
      'delivered',
      'deliveries/s',
      'CPU µs/delivery (all)',
      'of which Redis',
      'p50 ms',
      'p99 ms',
      'note',
    ]),
    line(Array(9).fill('---')),
    ...rows.map((r) =>
      line([
        r.setup,
        r.mode,
        r.delivered,
        Math.round(r.perSec),
        `${r.cpuPerDelivery.toFixed(2)} (${r.cpuRange[0].toFixed(2)}–${r.cpuRange[1].toFixed(2)})`,
        r.redisPerDelivery.toFixed(3),
        r.p50.toFixed(2),
        `${r.p99.toFixed(1)} (${r.p99Range[0].toFixed(1)}–${r.p99Range[1].toFixed(1)})`,
        r.notes,
      ]),
    ),
    '',
    line(['ratio', 'mode', 'CPU/delivery', 'goal', 'p99', 'goal']),
    line(Array(6).fill('---')),
  ];
  for (const mode of new Set(rows.map((r) => r.mode))) {
    const base = rows.find((r) => r.mode === mode && r.setup === '1 node, local');
    for (const setup of ['1 node, redis', '2 nodes, redis'] as const) {
      const row = rows.find((r) => r.mode === mode && r.setup === setup);
      if (!base || !row || base.cpuPerDelivery === 0 || base.p99 === 0) continue;
      const cpu = row.cpuPerDelivery / base.cpuPerDelivery;
      const p99 = row.p99 / base.p99;
      const goals = setup === '2 nodes, redis';
      out.push(
        line([
          `${setup} / 1 node, local`,
          mode,
          `${cpu.toFixed(2)}x`,
          goals ? (cpu <= 1.3 ? 'met (<= 1.3x)' : 'missed (<= 1.3x)') : '',
          `${p99.toFixed(2)}x`,
          goals ? (p99 < 2 ? 'met (< 2x)' : 'missed (< 2x)') : '',
        ]),
      );
    }
  }
  return out.join('\n') + '\n';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opts = parseOptions(args);
  const machine = machineInfo();
  const startedAt = new Date();
  let spawned: SpawnedRedis | undefined;
  let redisUrl = 'redis://127.0.0.1:6379';
  let redisNote = "the machine's Redis on 127.0.0.1:6379 (shared: its CPU figures include other clients)";
  if (hasRedisServerBinary()) {
    spawned = await SpawnedRedis.start();
    redisUrl = spawned.url;
    redisNote = `a redis-server started for the run (${(await redisVersion()) ?? 'version unknown'}, no persistence)`;
  } else if (!(await ping(6379))) {
    throw new Error('no Redis: nothing on 127.0.0.1:6379 and no redis-server binary');
  }
  process.on('exit', () => void spawned?.kill());
  console.log(
    `scale-out benchmark: ${opts.subscribers} subscribers, ${machine.cpus} CPUs, Redis: ${redisNote}`,
  );
  const results: Result[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    for (const mode of opts.modes) {
      for (const setup of SETUPS) {
        process.stdout.write(`  round ${round} ${mode} ${setup.name} ... `);
        const r = await runOnce(setup, mode, opts, redisUrl);
        results.push(r);
        console.log(
          r.note.startsWith('failed')
            ? r.note
            : `${r.delivered}/${r.expected}, ${(r.cpuUs / Math.max(1, r.delivered)).toFixed(2)} µs CPU/delivery ` +
                `(Redis ${(r.redisCpuUs / Math.max(1, r.delivered)).toFixed(2)}), p99 ${r.latency.p99.toFixed(1)} ms ${r.note}`,
        );
      }
    }
  }
  const text = tables(summarize(results));
  console.log(`\n${text}`);
  await spawned?.kill();
  if (opts.out === undefined) return;
  const command = ['npx tsx bench/fanout-redis.ts', ...args].join(' ');
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(
    opts.out,
    `# Scale-out benchmark: one gateway node vs two over Redis

Last run: ${startedAt.toISOString()}

Command: \`${command}\`

Machine: ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load average before the run
${machine.loadBefore} (the machine is shared; other work may have been running).

Redis: ${redisNote}.

Settings: ${opts.subscribers} subscribers in one room, split evenly over the nodes; the publisher (\`sendByRoom\`)
on the first node; steady ${opts.rate} msg/s for ${opts.duration} s, burst ${opts.messages} messages; ${opts.size}
characters; warm-up ${opts.warmup} messages; ${opts.rounds} round(s) interleaved, median shown with the lowest and
highest round in brackets.

How it runs:
- Setups: \`1 node, local\` is one gateway process with the memory store and local broker (the baseline);
  \`1 node, redis\` the same process with the Redis store and broker (the cost of Redis alone); \`2 nodes, redis\`
  two gateway processes sharing Redis, each holding half of the subscribers.
- CPU is the sum over every gateway process (\`process.cpuUsage()\`, read over IPC) plus Redis (\`INFO cpu\`,
  used_cpu_user + used_cpu_sys), before and after the measured phase, divided by the deliveries.
- Latency is publish to receive, measured in the load generator, which holds every client (one core of two).

${text}`,
  );
  console.log(`results written to ${opts.out}`);
}

async function redisVersion(): Promise<string | undefined> {
  const { spawnSync } = await import('node:child_process');
  return /v=([\d.]+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout)?.[1];
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
