/**
 * Turns run results into markdown: one row per target and mode, then tars-ws against each peer (the pipelined burst
 * in tables of its own, with its order check; the Centrifugo and mixed targets against tars-ws in
 * protocol-cost.ts), then the results file with the command, the machine and the
 * settings, so a figure can be traced to how it was made.
 */
import { resultsHeader, type MachineInfo } from './machine.js';
import { cell, fmtInt, ms, percent, ratio, table } from './markdown.js';
import { warmupMessages, type BenchOptions } from './options.js';
import { historyCostSection, isHistoryVariant } from './history-cost.js';
import { isProtocolVariant, protocolCostSection } from './protocol-cost.js';
import { deliveredShare as share, type Range, type RoundsSummary } from './rounds.js';

const SUBJECT = 'tars-ws';

const WS_CORKED_NOTE = `\`ws-corked\` is a reference, not a peer: the plain ws server, but each member's TCP socket is corked at its
first send of an event-loop turn and uncorked after the turn, so the messages of a burst reach a socket in one write.`;

/** Burst and steady modes, one row per target and mode. */
export function resultsTable(results: readonly RoundsSummary[]): string {
  const rows = results
    .filter(notPipelined)
    .map((r) => [
      r.target,
      r.mode,
      `${fmtInt(r.delivered)} / ${fmtInt(r.expected)}`,
      fmtInt(r.deliveriesPerSec),
      ...costCells(r),
      cell(r.note),
    ]);
  if (rows.length === 0) return '';
  return table(['target', 'mode', 'delivered', 'deliveries/s', ...COST_HEADS, 'note'], rows);
}

/** Pipelined mode: how much of the burst arrived, in what order, and whether the server cut the publisher. */
export function pipelinedTable(results: readonly RoundsSummary[]): string {
  const rows = results
    .filter((r) => r.mode === 'pipelined')
    .map((r) => [
      r.target,
      `${fmtInt(r.delivered)} / ${fmtInt(r.expected)}`,
      percent(r.delivered, r.expected),
      fmtInt(r.pipeline?.outOfOrder ?? 0),
      `${fmtInt(r.pipeline?.completeSubscribers ?? 0)} / ${fmtInt(r.subscribers * r.rounds)}`,
      ...costCells(r),
      cell(r.pipeline?.publisherClosed || 'open'),
      cell(r.note),
    ]);
  const head = ['target', 'delivered', 'share', 'out of order', 'complete subscribers'];
  return table([...head, ...COST_HEADS, 'publisher', 'note'], rows);
}

/** Server CPU, latency and load generator columns, shared by both results tables. */
const COST_HEADS = [
  'server CPU µs/delivery',
  'kernel share',
  'p50 ms',
  'p99 ms',
  'max ms',
  'load gen. busy',
] as const;

function costCells(r: RoundsSummary): string[] {
  return [
    r.cpuUsPerDelivery.toFixed(2) + spread(r, r.cpuRange, (n) => n.toFixed(2)),
    `${Math.round(r.systemShare * 100)}%`,
    ms(r.latency.p50),
    ms(r.latency.p99) + spread(r, r.p99Range, ms),
    ms(r.latency.max),
    `${Math.round(r.clientBusy * 100)}%`,
  ];
}

/** tars-ws divided by each peer, per mode: below 1 means tars-ws used less CPU or had lower latency. */
export function ratioTable(results: readonly RoundsSummary[]): string {
  const rows: string[][] = [];
  for (const [ours, peer] of pairs(results.filter(notPipelined))) {
    rows.push([
      `${SUBJECT} / ${peer.target}`,
      ours.mode,
      ratio(ours.deliveriesPerSec, peer.deliveriesPerSec),
      ratio(ours.cpuUsPerDelivery, peer.cpuUsPerDelivery),
      ratio(ours.latency.p99, peer.latency.p99),
    ]);
  }
  if (rows.length === 0) return '';
  return table(['ratio', 'mode', 'deliveries/s', 'CPU/delivery', 'p99'], rows);
}

/** The pipelined burst, tars-ws divided by each peer: delivered share (1 = as complete), CPU per delivery, latency. */
export function pipelinedRatioTable(results: readonly RoundsSummary[]): string {
  const rows = pairs(results.filter((r) => r.mode === 'pipelined')).map(([ours, peer]) => [
    `${SUBJECT} / ${peer.target}`,
    ratio(share(ours), share(peer)),
    ratio(ours.cpuUsPerDelivery, peer.cpuUsPerDelivery),
    ratio(ours.latency.p50, peer.latency.p50),
    ratio(ours.latency.p99, peer.latency.p99),
  ]);
  if (rows.length === 0) return '';
  return table(['ratio', 'delivered share', 'CPU/delivery', 'p50', 'p99'], rows);
}

/** Each tars-ws row with each peer's row of the same mode (tars-ws's own protocol and history variants are no peers). */
function pairs(results: readonly RoundsSummary[]): [RoundsSummary, RoundsSummary][] {
  return results
    .filter((r) => r.target === SUBJECT)
    .flatMap((ours) =>
      results
        .filter(
          (r) =>
            r.target !== SUBJECT && r.mode === ours.mode && !isProtocolVariant(r) && !isHistoryVariant(r),
        )
        .map((peer): [RoundsSummary, RoundsSummary] => [ours, peer]),
    );
}

function notPipelined(r: RoundsSummary): boolean {
  return r.mode !== 'pipelined';
}

export function settingsLine(opts: BenchOptions): string {
  return (
    `subscribers ${opts.subscribers} in one room; burst ${opts.messages} messages; ` +
    `steady ${opts.rate} msg/s for ${opts.duration} s; pipelined ${opts.pipelined} messages; ` +
    `message ${opts.size} characters; ` +
    `warm-up ${warmupMessages(opts)} messages (at least ${opts.warmup} and ${opts.warmupDeliveries} deliveries); ${opts.rounds} round(s), median shown; bound ${opts.timeout} s per run, stall ${opts.stall} s`
  );
}

export function resultsFile(
  results: readonly RoundsSummary[],
  opts: BenchOptions,
  machine: MachineInfo,
  command: string,
  startedAt: Date,
): string {
  return `# Fan-out benchmark: tars-ws vs ws vs Socket.IO

${resultsHeader(machine, command, startedAt)}

Settings: ${settingsLine(opts)}.

How it runs:
- Each target runs in its own process; its CPU time is read there with \`process.cpuUsage()\` before and after the
  phase. The benchmark process holds all subscribers and one publisher connection that asks the server to fan out
  (tars-ws \`sendByRoom\`, a \`publish\` command to the ws server, a \`publish\` event to Socket.IO). The
  \`tars-ws-centrifuge\` and \`tars-ws-mixed\` targets are tars-ws with subscribers on the Centrifugo protocol
  (all, or every other one); they are compared with \`tars-ws\` in their own section below.
- Messages carry their send time, read by the receivers in the same process: latency is publish to receive.
  Burst publishes every message at once; steady at a fixed rate. deliveries/s runs from the first publish to the
  last delivery.
- Each target and mode runs ${opts.rounds} time(s), interleaved, each on a fresh server process after the warm-up;
  every figure is the median over the rounds (delivered is their sum), lowest and highest round in brackets.
- The warm-up publishes at once at least \`--warmup\` messages and enough for \`--warmup-deliveries\`: V8 compiles
  hot code after enough calls, on background threads whose CPU time the process's reading includes, so a short
  warm-up leaves compilation in the measured phase (it was up to 0.3 µs per delivery in 200-message bursts).
- "kernel share" is the system part of the server's CPU time; on loopback it includes the TCP work of each write.
- "load gen. busy" is the benchmark process's CPU time over the phase's wall time. Near 100% the clients, not the
  server, set deliveries/s and latency. With 2 cores the server has one core and the clients the other; how the
  clients read also changes what each server write costs, so the figures are for this setup, not absolute.

${opts.targets.includes('ws-corked') ? `${WS_CORKED_NOTE}\n\n` : ''}${resultsTable(results)}
${ratioTable(results)}${pipelinedSection(results, opts)}${protocolCostSection(results)}${historyCostSection(results)}`;
}

function pipelinedSection(results: readonly RoundsSummary[], opts: BenchOptions): string {
  if (!results.some((r) => r.mode === 'pipelined')) return '';
  return `
## Pipelined burst

One client writes ${opts.pipelined} numbered messages at once without waiting for any reply (a busy client that
pipelines its commands); every message must reach every subscriber, each subscriber's in order. "share" is
delivered / expected; "out of order" counts deliveries whose number was not above the previous one at that
subscriber; "complete subscribers" received all ${opts.pipelined}; "publisher" is how the server ended the
publisher's connection during the run ("open": it did not). Latency and CPU cover the deliveries that arrived.
The run ends when all arrived, after ${opts.stall} s without a delivery, or at its ${opts.timeout} s bound; the
note then says which messages were missing.

${pipelinedTable(results)}
${pipelinedRatioTable(results)}`;
}

/** ` (min–max)` over the rounds, when there were several. */
function spread(r: RoundsSummary, range: Range, fmt: (n: number) => string): string {
  return r.rounds > 1 ? ` (${fmt(range.min)}–${fmt(range.max)})` : '';
}
