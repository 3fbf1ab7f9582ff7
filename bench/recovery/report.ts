/**
 * Turns the recovery benchmark's results into markdown: one row per engine (time until all recovered, server CPU
 * per recovery, Redis commands and CPU per recovery), the Redis commands by name, and the results file with the
 * command, the machine and the settings.
 */
import { resultsHeader, type MachineInfo } from '../fanout/machine.js';
import { cell, fmtInt, ms, table } from '../fanout/markdown.js';
import type { RecoveryOptions } from './options.js';
import type { PhaseCost, RecoveryResult } from './run.js';

export function settingsLine(opts: RecoveryOptions, redis: string): string {
  return (
    `${opts.clients} clients, ${opts.missed} messages missed; first subscribe ${opts.concurrency} connects at a ` +
    `time, reconnect all at once; engines ${opts.engines.join(', ')}; Redis ${redis}; bound ${opts.timeout} s per engine`
  );
}

export function resultsTable(results: readonly RecoveryResult[]): string {
  const rows = results.map((r) => [
    r.engine,
    `${fmtInt(r.recovered)} / ${fmtInt(r.clients)}`,
    fmtInt(r.missed),
    ms(r.allMs),
    ms(r.p50Ms),
    ms(r.p99Ms),
    perClient(r.recovery.cpuUs, r),
    perClient(r.subscribe.cpuUs, r),
    r.recovery.redis ? (r.recovery.redis.total / r.clients).toFixed(2) : 'n/a',
    r.recovery.redis ? ((r.recovery.redis.calls.get('evalsha') ?? 0) / r.clients).toFixed(2) : 'n/a',
    r.recovery.redis ? perClient(r.recovery.redis.cpuUs, r) : 'n/a',
    cell(r.note),
  ]);
  return table(
    [
      'engine',
      'recovered',
      'missed each',
      'all recovered ms',
      'p50 ms',
      'p99 ms',
      'server CPU µs/recovery',
      'server CPU µs/first subscribe',
      'Redis commands/recovery',
      'of them EVALSHA',
      'Redis CPU µs/recovery',
      'note',
    ],
    rows,
  );
}

/** Redis commands by name per client, in the first subscribe and in the recovery, for the engines that used Redis. */
export function redisTable(results: readonly RecoveryResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const [phase, cost] of [
      ['first subscribe', r.subscribe],
      ['recovery', r.recovery],
    ] as const) {
      if (!cost.redis) continue;
      rows.push([r.engine, phase, commands(cost, r.clients), (cost.redis.total / r.clients).toFixed(2)]);
    }
  }
  if (rows.length === 0) return '';
  return table(['engine', 'phase', 'commands per client', 'total per client'], rows);
}

function commands(cost: PhaseCost, clients: number): string {
  const list = [...(cost.redis?.calls ?? [])].sort((a, b) => b[1] - a[1]);
  return list.map(([name, n]) => `${name} ${(n / clients).toFixed(2)}`).join(', ') || 'none';
}

function perClient(us: number, r: RecoveryResult): string {
  return r.clients > 0 && us > 0 ? (us / r.clients).toFixed(1) : 'n/a';
}

export function resultsFile(
  results: readonly RecoveryResult[],
  opts: RecoveryOptions,
  redis: string,
  machine: MachineInfo,
  command: string,
  startedAt: Date,
): string {
  const redisRows = redisTable(results);
  return `# Recovery benchmark: ${fmtInt(opts.clients)} clients recovering ${opts.missed} missed messages at once

${resultsHeader(machine, command, startedAt)}

Settings: ${settingsLine(opts, redis)}.

How it runs (bench/recovery.ts):
- Per engine, a fresh tars-ws server process (the bench gateway) with a namespace \`ns\` that keeps history (1000
  publications, 5 minutes) and has \`forceRecovery\`; history on the memory engine, or on Redis (room store memory,
  a key prefix of its own, wiped at stop). A warm-up cycle of ${Math.min(50, opts.clients)} clients on another
  channel runs first, so the measured one runs JIT-compiled code.
- ${fmtInt(opts.clients)} Centrifugo wire clients (raw \`ws\`, JSON protocol) send \`connect\` and \`subscribe\` to
  \`ns:x\` in one frame and keep the reply's \`epoch\`/\`offset\`; all close; ${opts.missed} messages are
  published through the server API (\`POST /api/publish\`, one by one); then all ${fmtInt(opts.clients)} reconnect at
  once with \`connect\` and \`subscribe {recover: true, offset, epoch}\`, as the SDK does after a reconnect.
- "recovered": replies with \`recovered: true\` and exactly the ${opts.missed} missed publications, offsets in order
  from the client's. "all recovered ms": from the start of the reconnect to the last such reply; p50/p99 over the
  clients' reply times from the same start. Each reconnect includes its WebSocket handshake and connect.
- "server CPU µs/recovery": the gateway process's CPU time (\`process.cpuUsage()\`) over the reconnect phase,
  divided by the clients; "first subscribe" the same over the first phase, for comparison (what the recovery adds
  is the difference). Redis figures from \`INFO commandstats\` (calls, the samples' own INFO left out) and
  \`INFO cpu\` before and after the phase, divided by the clients. Redis counts the commands a script runs too:
  an \`EVALSHA\` is one request from the gateway, the commands it runs inside are counted besides it, so the
  requests per recovery are the commands outside scripts (tars-ws's history engine runs every call as one
  script: the EVALSHA column). The load generator (all clients) shares the 2 cores with the server (and Redis),
  so times are for this setup, not absolute.

${resultsTable(results)}${redisRows === '' ? '' : `\n${redisRows}`}`;
}
