/**
 * One measured run of the connect benchmark: a fresh `tars-ws-tokens` server process, a warm-up, then N Centrifugo
 * connections opened with a bounded number under way, each timed from the TCP connect to the connect reply. The
 * server's CPU is read over the phase; every connection stays open until the run is over, so no close is counted.
 */
import type WebSocket from 'ws';
import { openCentrifuge } from '../fanout/clients/centrifuge-client.js';
import { Deadline } from '../fanout/deadline.js';
import { percentile } from '../fanout/latency.js';
import { collectGarbage } from '../fanout/gc.js';
import { ServerProcess } from '../fanout/server-process.js';
import type { ConnectMode, ConnectOptions } from './options.js';

export interface ConnectResult {
  mode: ConnectMode;
  /** Connections asked for in the measured phase. */
  attempted: number;
  /** Connections that got their connect reply. */
  opened: number;
  /** From the first connect to the last reply, in seconds. */
  seconds: number;
  connectsPerSec: number;
  /** Server process user + system CPU during the phase, in microseconds. */
  serverCpuUs: number;
  /** The kernel's part of {@link serverCpuUs}, 0..1. */
  systemShare: number;
  cpuUsPerConnect: number;
  /** CPU of this (load generator) process over the phase's wall time, 0..1 per core. */
  clientBusy: number;
  /** Time from opening the socket to the connect reply, in milliseconds. */
  latency: { p50: number; p99: number };
  /** Empty when every connect succeeded; otherwise the failures and the first reason. */
  note: string;
}

/**
 * Runs `mode` once. `tokens` holds one token per user: the first `opts.connections` for the measured phase, the
 * next `opts.warmup` for the warm-up (a user connects once per run).
 */
export async function runConnects(
  mode: ConnectMode,
  opts: ConnectOptions,
  tokens: readonly string[],
): Promise<ConnectResult> {
  const deadline = new Deadline(opts.timeout);
  const open: WebSocket[] = [];
  const result: ConnectResult = {
    mode,
    attempted: opts.connections,
    opened: 0,
    seconds: 0,
    connectsPerSec: 0,
    serverCpuUs: 0,
    systemShare: 0,
    cpuUsPerConnect: 0,
    clientBusy: 0,
    latency: { p50: 0, p99: 0 },
    note: '',
  };
  const connectOf = (user: number): Record<string, unknown> =>
    mode === 'anonymous' ? { connect: {} } : { connect: { token: tokens[user] } };
  let server: ServerProcess | undefined;
  try {
    server = await ServerProcess.start('tars-ws-tokens', opts.profileDir);
    const url = server.url;
    // Warm-up connections stay open too: closing them now would put their teardown into the measured phase.
    const warm = await openMany(
      url,
      opts.warmup,
      opts.concurrency,
      (i) => connectOf(opts.connections + i),
      open,
      deadline,
    );
    if (warm.failed > 0) throw new Error(`warm-up: ${warm.failed} connects failed (${warm.firstError})`);
    collectGarbage();

    const before = await server.cpu();
    const clientBefore = process.cpuUsage();
    const t0 = performance.now();
    const phase = await openMany(url, opts.connections, opts.concurrency, connectOf, open, deadline);
    const t1 = performance.now();
    const after = await server.cpu();
    const clientCpu = process.cpuUsage(clientBefore);

    result.opened = phase.opened;
    result.seconds = (t1 - t0) / 1000;
    result.connectsPerSec = result.seconds > 0 ? phase.opened / result.seconds : 0;
    result.serverCpuUs = after.user - before.user + (after.system - before.system);
    result.systemShare = result.serverCpuUs > 0 ? (after.system - before.system) / result.serverCpuUs : 0;
    result.cpuUsPerConnect = phase.opened > 0 ? result.serverCpuUs / phase.opened : 0;
    result.clientBusy = (clientCpu.user + clientCpu.system) / 1000 / (t1 - t0);
    result.latency = percentiles(phase.times);
    if (phase.failed > 0) result.note = `${phase.failed} connects failed: ${phase.firstError}`;
  } catch (err) {
    result.note = `failed: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    for (const ws of open) ws.terminate();
    await server?.stop();
  }
  return result;
}

interface Opened {
  opened: number;
  failed: number;
  firstError: string;
  /** Milliseconds from open to connect reply of each successful connect. */
  times: Float64Array;
}

/** Opens `count` connections, `concurrency` at a time, until done or the deadline; failures are counted, not thrown. */
async function openMany(
  url: string,
  count: number,
  concurrency: number,
  commandOf: (index: number) => Record<string, unknown>,
  into: WebSocket[],
  deadline: Deadline,
): Promise<Opened> {
  const out: Opened = { opened: 0, failed: 0, firstError: '', times: new Float64Array(count) };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      deadline.check(`connecting (${out.opened} of ${count} open)`);
      const start = performance.now();
      try {
        into.push(await openCentrifuge(url, [commandOf(index)]));
        out.times[out.opened++] = performance.now() - start;
      } catch (err) {
        if (out.failed++ === 0) out.firstError = err instanceof Error ? err.message : String(err);
      }
    }
  };
  const workers = Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  await deadline.race(workers, () => `connecting (${out.opened} of ${count} open)`);
  out.times = out.times.slice(0, out.opened);
  return out;
}

function percentiles(times: Float64Array): { p50: number; p99: number } {
  const sorted = times.slice().sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}
