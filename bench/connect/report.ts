/**
 * The connect benchmark's markdown: one row per mode (median over the rounds), HS256 against anonymous, and the
 * results file with the command, the machine and the settings.
 */
import { resultsHeader, type MachineInfo } from '../fanout/machine.js';
import { cell, fmtInt, ms, ratio, table } from '../fanout/markdown.js';
import { median } from '../fanout/rounds.js';
import type { ConnectMode, ConnectOptions } from './options.js';
import type { ConnectResult } from './run.js';

export interface ConnectSummary extends ConnectResult {
  rounds: number;
  /** Lowest and highest CPU per connect over the rounds. */
  cpuRange: { min: number; max: number };
}

/** Folds the rounds of each mode: medians, attempted and opened summed, distinct notes joined. */
export function summarize(results: readonly ConnectResult[]): ConnectSummary[] {
  const modes = [...new Set(results.map((r) => r.mode))];
  return modes.map((mode) => {
    const group = results.filter((r) => r.mode === mode);
    const ok = group.filter((r) => r.opened > 0);
    const med = (pick: (r: ConnectResult) => number): number => median(ok.map(pick));
    const cpus = ok.map((r) => r.cpuUsPerConnect);
    return {
      mode,
      rounds: group.length,
      attempted: group.reduce((a, r) => a + r.attempted, 0),
      opened: group.reduce((a, r) => a + r.opened, 0),
      seconds: med((r) => r.seconds),
      connectsPerSec: med((r) => r.connectsPerSec),
      serverCpuUs: med((r) => r.serverCpuUs),
      systemShare: med((r) => r.systemShare),
      cpuUsPerConnect: med((r) => r.cpuUsPerConnect),
      clientBusy: med((r) => r.clientBusy),
      latency: { p50: med((r) => r.latency.p50), p99: med((r) => r.latency.p99) },
      cpuRange: cpus.length > 0 ? { min: Math.min(...cpus), max: Math.max(...cpus) } : { min: 0, max: 0 },
      note: [...new Set(group.map((r) => r.note).filter((n) => n !== ''))].join('; '),
    };
  });
}

export function resultsTable(results: readonly ConnectSummary[]): string {
  const rows = results.map((r) => [
    r.mode,
    `${fmtInt(r.opened)} / ${fmtInt(r.attempted)}`,
    fmtInt(r.connectsPerSec),
    r.cpuUsPerConnect.toFixed(1) +
      (r.rounds > 1 ? ` (${r.cpuRange.min.toFixed(1)}–${r.cpuRange.max.toFixed(1)})` : ''),
    `${Math.round(r.systemShare * 100)}%`,
    ms(r.latency.p50),
    ms(r.latency.p99),
    `${Math.round(r.clientBusy * 100)}%`,
    cell(r.note),
  ]);
  const head = [
    'connect',
    'opened',
    'connects/s',
    'server CPU µs/connect',
    'kernel share',
    'p50 ms',
    'p99 ms',
  ];
  return table([...head, 'load gen. busy', 'note'], rows);
}

/** HS256 divided by anonymous: what verifying a token costs a connect. */
export function ratioTable(results: readonly ConnectSummary[]): string {
  const of = (mode: ConnectMode): ConnectSummary | undefined => results.find((r) => r.mode === mode);
  const token = of('hs256');
  const anonymous = of('anonymous');
  if (!token || !anonymous) return '';
  const extra = token.cpuUsPerConnect - anonymous.cpuUsPerConnect;
  return table(
    ['ratio', 'connects/s', 'server CPU/connect', 'p99', 'token cost µs CPU/connect'],
    [
      [
        'hs256 / anonymous',
        ratio(token.connectsPerSec, anonymous.connectsPerSec),
        ratio(token.cpuUsPerConnect, anonymous.cpuUsPerConnect),
        ratio(token.latency.p99, anonymous.latency.p99),
        token.opened > 0 && anonymous.opened > 0 ? extra.toFixed(1) : 'n/a',
      ],
    ],
  );
}

export function settingsLine(opts: ConnectOptions): string {
  return (
    `${opts.connections} connections per run (kept open), ${opts.concurrency} under way at once; ` +
    `warm-up ${opts.warmup} connections; modes ${opts.modes.join(', ')}; ${opts.rounds} round(s), median shown; ` +
    `bound ${opts.timeout} s per run`
  );
}

export function resultsFile(
  results: readonly ConnectSummary[],
  opts: ConnectOptions,
  machine: MachineInfo,
  command: string,
  startedAt: Date,
): string {
  return `# Connect benchmark: Centrifugo connects with HS256 tokens against anonymous

${resultsHeader(machine, command, startedAt)}

Settings: ${settingsLine(opts)}.

How it runs:
- The server is the tars-ws demo gateway in its own process, configured with \`tokenHmacSecretKey\` and
  \`allowAnonymousConnect: true\`, so both kinds of connect reach the same server. Each mode and round runs on a
  fresh server process; the modes are interleaved.
- A connect is a WebSocket to \`/connection/websocket\` (HTTP upgrade included) that sends the Centrifugo
  command \`{"id":1,"connect":{}}\` (anonymous) or \`{"id":1,"connect":{"token":"..."}}\` (hs256) and waits for the
  reply. Every user has a token of its own (\`sub\` user-N, \`exp\` an hour ahead), signed with jose before the
  measurement; the server verifies each with jose.
- connects/s runs from the first connect to the last reply; server CPU is read in the server process with
  \`process.cpuUsage()\` over that phase. Connections stay open until the run ends, so no teardown is counted.
- p50/p99 are per connect, socket open to connect reply; "load gen. busy" is the benchmark process's CPU over the
  phase's wall time (near 100%, the clients set connects/s).

${resultsTable(results)}
${ratioTable(results)}`;
}
