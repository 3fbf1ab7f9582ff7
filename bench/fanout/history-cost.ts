/**
 * What keeping history costs tars-ws's fan-out: the `tars-ws-history` (memory engine) and `tars-ws-history-redis`
 * targets against the `tars-ws` row of the same run and mode, with issue 11's goals (1.3x and 1.6x CPU per delivery).
 */
import { variantCostTable } from './protocol-cost.js';
import type { RoundsSummary } from './rounds.js';
import { BENCH_HISTORY, HISTORY_GOALS } from './targets.js';

export function isHistoryVariant(r: RoundsSummary): boolean {
  return HISTORY_GOALS.has(r.target);
}

/** History variant / tars-ws per mode, CPU per delivery against its engine's goal. */
export function historyCostTable(results: readonly RoundsSummary[]): string {
  return variantCostTable(results, HISTORY_GOALS, 'history cost');
}

/** The results file's section on the history variants; empty when none ran with `tars-ws`. */
export function historyCostSection(results: readonly RoundsSummary[]): string {
  const t = historyCostTable(results);
  if (t === '') return '';
  return `
## History on against off

The same tars-ws server, text-protocol publisher (\`sendByRoom\`) and text-protocol subscribers as \`tars-ws\`
(history costs on the publish path, not per subscriber); only the room's options differ: \`channelDefaults\` sets
\`historySize\` ${BENCH_HISTORY.historySize} and \`historyTtlMs\` ${BENCH_HISTORY.historyTtlMs}, so every
publication is appended to the history engine (given its offset and epoch) before it is fanned out.
\`tars-ws-history\`: the memory engine (\`historyEngine=memory\`). \`tars-ws-history-redis\`: the Redis engine
(\`historyEngine=redis\`, room store memory; one \`EVALSHA\` per publication to the Redis at 127.0.0.1:6379 under
a key prefix of its own, wiped after). The server CPU is the gateway process's only: Redis's own CPU is not counted
(that Redis is shared with other work on this machine). Each row divides the variant's figure by the \`tars-ws\`
row of the same mode; the goals are at most 1.3x server CPU per delivery with memory and 1.6x with Redis.

How to read the burst rows: \`sendByRoom\` is a pipelined command (\`HandlerOptions.pipelined\`): the publisher's
next frame starts once a publication's append is issued, so a burst's \`EVALSHA\`s are pipelined on the Redis
connection and their fan-outs still coalesce into few socket writes per subscriber; replies and deliveries keep the
frames' order. (Before it was pipelined, each publication waited for its own round trip and fanned out alone: 11.9x
in bursts.) Steady mode, one publication at a time, shows the engine's cost per publication.

${t}`;
}
