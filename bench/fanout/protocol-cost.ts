/**
 * What the subscribers' protocol costs tars-ws: the Centrifugo and mixed targets against the text target of the
 * same run and mode (same server, same publisher), with issue 10's goal of at most 1.1x server CPU per delivery.
 */
import { cell, ratio, table } from './markdown.js';
import { deliveredShare as share, type RoundsSummary } from './rounds.js';
import { PROTOCOL_COST_GOAL, PROTOCOL_VARIANTS, type TargetName } from './targets.js';

const TEXT_TARGET = 'tars-ws';

export function isProtocolVariant(r: RoundsSummary): boolean {
  return PROTOCOL_VARIANTS.includes(r.target);
}

/** Variant / tars-ws per mode: CPU per delivery against the goal, deliveries/s, p99, delivered share. */
export function protocolCostTable(results: readonly RoundsSummary[]): string {
  const goals = new Map(PROTOCOL_VARIANTS.map((t) => [t, PROTOCOL_COST_GOAL]));
  return variantCostTable(results, goals, 'protocol cost');
}

/**
 * Each target of `goals` divided by the `tars-ws` row of the same mode (same server code and publisher): CPU per
 * delivery against the target's goal, deliveries/s, p99, delivered share. Empty when none ran with `tars-ws`.
 */
export function variantCostTable(
  results: readonly RoundsSummary[],
  goals: ReadonlyMap<TargetName, number>,
  head: string,
): string {
  const rows: string[][] = [];
  for (const variant of results) {
    const goal = goals.get(variant.target);
    const text = results.find((r) => r.target === TEXT_TARGET && r.mode === variant.mode);
    if (goal === undefined || !text) continue;
    // Judged on the ratio as printed (two decimals), so a row showing 1.10x is within the goal.
    const cpu = Math.round((variant.cpuUsPerDelivery / text.cpuUsPerDelivery) * 100) / 100;
    const measured = variant.cpuUsPerDelivery > 0 && text.cpuUsPerDelivery > 0;
    rows.push([
      `${variant.target} / ${TEXT_TARGET}`,
      variant.mode,
      ratio(variant.cpuUsPerDelivery, text.cpuUsPerDelivery),
      `${goal.toFixed(2)}x`,
      measured ? (cpu <= goal ? 'yes' : '**no**') : 'n/a',
      ratio(variant.deliveriesPerSec, text.deliveriesPerSec),
      ratio(variant.latency.p99, text.latency.p99),
      ratio(share(variant), share(text)),
      cell(variant.note),
    ]);
  }
  if (rows.length === 0) return '';
  return table(
    [head, 'mode', 'CPU/delivery', 'goal', 'within goal', 'deliveries/s', 'p99', 'delivered share', 'note'],
    rows,
  );
}

/** The results file's section on the protocol variants; empty when none ran with the text target. */
export function protocolCostSection(results: readonly RoundsSummary[]): string {
  const t = protocolCostTable(results);
  if (t === '') return '';
  return `
## Subscribers on the Centrifugo protocol

The same tars-ws server and text-protocol publisher (\`sendByRoom\`) as \`tars-ws\`; only the subscribers differ.
\`tars-ws-centrifuge\`: every subscriber speaks the Centrifugo client protocol v2 (JSON) on
\`/connection/websocket\` (anonymous \`connect\`, then \`subscribe\` to the room) and receives each message as a
publication push whose \`data\` is the message as a JSON string. \`tars-ws-mixed\`: subscribers alternate between
the text protocol and the Centrifugo one, so every push is encoded for both and the fan-out loop switches protocol
at every receiver. Each row divides the variant's figure by the \`tars-ws\` row of the same mode; the goal is
server CPU per delivery at most ${PROTOCOL_COST_GOAL.toFixed(1)}x the text protocol's.

A Centrifugo push is about 45 bytes longer than the text one, and one frame may carry several pushes separated by
newlines: what a subscriber is sent after the first push of an event-loop turn is joined into frames of up to
\`centrifugeMaxMessagesInFrame\` (16), built once for all subscribers. A burst then costs one socket chunk per 16
pushes instead of one per push, which is why bursts and pipelined runs cost less per delivery than the text
protocol; in the steady mode every push leaves alone and the longer frame is the whole difference.

${t}`;
}
