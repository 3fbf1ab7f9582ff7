/**
 * One measured run: a fresh server process for one target, N subscribers in one room, a warm-up, then one mode
 * (burst, steady or pipelined) published through a dedicated publisher connection. Every wait is bounded by the
 * run's deadline and by a stall limit, so a server that stops delivering yields a partial result instead of a hang.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientConnection, OnPush, Publisher, TargetClient } from './clients/client.js';
import { CLIENTS } from './clients/index.js';
import { Deadline } from './deadline.js';
import { collectGarbage } from './gc.js';
import { DeliveryRecorder, stampedMessage, type LatencySummary } from './latency.js';
import { warmupMessages, type BenchOptions, type Mode } from './options.js';
import { SequenceTracker, type SequenceSummary } from './sequence.js';
import { ServerProcess } from './server-process.js';
import { ROOM, type TargetName } from './targets.js';

/** Subscriptions opened at the same time; more makes the connect phase overflow the listen backlog. */
const CONNECT_CONCURRENCY = 50;
const POLL_MS = 20;

export interface RunResult {
  target: TargetName;
  mode: Mode;
  /** Subscribers that joined the room. */
  subscribers: number;
  published: number;
  /** published x subscribers. */
  expected: number;
  delivered: number;
  /** From the first publish to the last delivery, in seconds. */
  seconds: number;
  deliveriesPerSec: number;
  /** Server process user + system CPU during the phase, in microseconds. */
  serverCpuUs: number;
  /** The kernel's part of {@link serverCpuUs} (socket writes), 0..1. */
  systemShare: number;
  cpuUsPerDelivery: number;
  /**
   * CPU time of this (load generator) process over the phase's wall time, 0..1 per core: near 1 means the clients,
   * not the server, set deliveries/s and latency.
   */
  clientBusy: number;
  latency: LatencySummary;
  /** Pipelined mode only: order per subscriber, what was missing, and whether the server cut the publisher. */
  pipeline?: PipelineResult;
  /** Empty when every delivery arrived; otherwise what went wrong. */
  note: string;
}

export interface PipelineResult extends SequenceSummary {
  /** How the server ended the publisher's connection before the end of the run (e.g. 1008); empty if it did not. */
  publisherClosed: string;
}

type WaitEnd = 'done' | 'stalled' | 'timeout';

export async function runScenario(target: TargetName, mode: Mode, opts: BenchOptions): Promise<RunResult> {
  const deadline = new Deadline(opts.timeout);
  const client = CLIENTS[target];
  const published = publishedCount(mode, opts);
  const warmup = warmupMessages(opts);
  const recorder = new DeliveryRecorder(Math.max(warmup, published) * opts.subscribers);
  const sequence = mode === 'pipelined' ? new SequenceTracker(opts.subscribers, published) : undefined;
  const onPushOf = (index: number): OnPush =>
    sequence ? sequence.forSubscriber(index, recorder.record) : recorder.record;
  const conns: ClientConnection[] = [];
  const result: RunResult = {
    target,
    mode,
    subscribers: 0,
    published: 0,
    expected: 0,
    delivered: 0,
    seconds: 0,
    deliveriesPerSec: 0,
    serverCpuUs: 0,
    systemShare: 0,
    cpuUsPerDelivery: 0,
    clientBusy: 0,
    latency: { p50: 0, p99: 0, max: 0 },
    note: '',
  };
  let server: ServerProcess | undefined;
  try {
    server = await ServerProcess.start(target, opts.profileDir);
    const url = server.url;
    await deadline.race(
      openSubscribers(client, url, opts.subscribers, onPushOf, conns, deadline),
      () => `connecting subscribers (${conns.length} of ${opts.subscribers} joined)`,
    );
    result.subscribers = conns.length;
    const publisher = await deadline.race(client.publisher(url), () => 'connecting the publisher');
    conns.push(publisher);

    if (warmup > 0) {
      for (let i = 0; i < warmup; i++) publisher.publish(ROOM, stampedMessage(opts.size));
      const end = await waitForDeliveries(recorder, warmup * result.subscribers, opts, deadline);
      if (end !== 'done') throw new Error(`warm-up ${end} after ${recorder.count} deliveries`);
    }
    recorder.reset(published * result.subscribers);
    sequence?.arm();
    collectGarbage();

    const before = await server.cpu();
    const clientBefore = process.cpuUsage();
    const t0 = performance.now();
    result.published = await publish(mode, publisher, published, opts, deadline);
    result.expected = result.published * result.subscribers;
    const end = await waitForDeliveries(recorder, result.expected, opts, deadline);
    // Deliveries still arriving after a timeout or stall are not counted: the CPU reading is taken here.
    const delivered = recorder.count;
    const lastAt = recorder.lastAt;
    if (sequence) result.pipeline = { ...sequence.summary(), publisherClosed: publisher.closedBy ?? '' };
    const after = await server.cpu();
    const clientCpu = process.cpuUsage(clientBefore);
    result.clientBusy = (clientCpu.user + clientCpu.system) / 1000 / (performance.now() - t0);

    result.delivered = delivered;
    result.seconds = delivered > 0 ? (lastAt - t0) / 1000 : 0;
    result.deliveriesPerSec = result.seconds > 0 ? result.delivered / result.seconds : 0;
    result.serverCpuUs = after.user - before.user + (after.system - before.system);
    result.systemShare = result.serverCpuUs > 0 ? (after.system - before.system) / result.serverCpuUs : 0;
    result.cpuUsPerDelivery = result.delivered > 0 ? result.serverCpuUs / result.delivered : 0;
    result.latency = recorder.summary(delivered);
    if (end !== 'done') {
      result.note = `${end}: ${result.delivered} of ${result.expected} deliveries arrived`;
    }
    if (result.pipeline) result.note = pipelineNote(result.note, result.pipeline);
  } catch (err) {
    result.note = `failed: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    for (const c of conns) c.close();
    await server?.stop();
  }
  return result;
}

function publishedCount(mode: Mode, opts: BenchOptions): number {
  if (mode === 'burst') return opts.messages;
  if (mode === 'pipelined') return opts.pipelined;
  return opts.rate * opts.duration;
}

/** The run's note with what the order check found: the missing messages and out-of-order deliveries. */
function pipelineNote(note: string, p: PipelineResult): string {
  const parts = note === '' ? [] : [note];
  if (p.missing !== '') parts.push(`missing ${p.missing}`);
  if (p.outOfOrder > 0) parts.push(`${p.outOfOrder} out of order`);
  return parts.join('; ');
}

async function openSubscribers(
  client: TargetClient,
  url: string,
  count: number,
  onPushOf: (index: number) => OnPush,
  into: ClientConnection[],
  deadline: Deadline,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      deadline.check(`connecting subscribers (${into.length} of ${count} joined)`);
      into.push(await client.subscribe(url, ROOM, onPushOf(index), index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, worker));
}

/** Publishes the phase's messages; resolves how many were sent (fewer if the deadline came first). */
async function publish(
  mode: Mode,
  publisher: Publisher,
  count: number,
  opts: BenchOptions,
  deadline: Deadline,
): Promise<number> {
  if (mode === 'burst') {
    for (let i = 0; i < count; i++) publisher.publish(ROOM, stampedMessage(opts.size));
    return count;
  }
  if (mode === 'pipelined') {
    // Every message written in one turn, numbered from 1, none waiting for the server's reply.
    for (let seq = 1; seq <= count; seq++) publisher.publish(ROOM, stampedMessage(opts.size, seq));
    return count;
  }
  // Steady: message i leaves at start + i / rate; a late timer sends what is due at once instead of drifting.
  const interval = 1000 / opts.rate;
  const start = performance.now();
  let sent = 0;
  while (sent < count && deadline.left > 0) {
    const wait = start + sent * interval - performance.now();
    if (wait > 0) await sleep(wait);
    publisher.publish(ROOM, stampedMessage(opts.size));
    sent++;
  }
  return sent;
}

/** Waits until `expected` deliveries are recorded, none arrived for `opts.stall` seconds, or the deadline. */
async function waitForDeliveries(
  recorder: DeliveryRecorder,
  expected: number,
  opts: BenchOptions,
  deadline: Deadline,
): Promise<WaitEnd> {
  let seen = recorder.count;
  let progressAt = performance.now();
  while (recorder.count < expected) {
    if (deadline.left <= 0) return 'timeout';
    const now = performance.now();
    if (recorder.count !== seen) {
      seen = recorder.count;
      progressAt = now;
    } else if (now - progressAt > opts.stall * 1000) {
      return 'stalled';
    }
    await sleep(POLL_MS);
  }
  return 'done';
}
