/**
 * Fan-out benchmark (`npm run bench:fanout`): tars-ws (subscribers on its text protocol, on the Centrifugo
 * protocol, and mixed) against a plain ws server and Socket.IO, each in its own process, delivering to N
 * subscribers of one room, in burst, steady and pipelined modes. Prints markdown tables
 * and keeps the last full run in bench/results/fanout.md. Not a test: it measures, it does not judge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseOptions, USAGE } from './fanout/options.js';
import { machineInfo } from './fanout/machine.js';
import {
  pipelinedRatioTable,
  pipelinedTable,
  ratioTable,
  resultsFile,
  resultsTable,
  settingsLine,
} from './fanout/report.js';
import { historyCostTable } from './fanout/history-cost.js';
import { protocolCostTable } from './fanout/protocol-cost.js';
import { summarizeRounds } from './fanout/rounds.js';
import { runScenario, type RunResult } from './fanout/scenario.js';
import { runMain } from './fanout/run-main.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(`fan-out benchmark of tars-ws against ws and Socket.IO\n${USAGE}`);
    return;
  }
  const opts = parseOptions(args);
  const startedAt = new Date();
  const machine = machineInfo();
  const command = ['npm run bench:fanout', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  console.log(`fan-out benchmark: ${settingsLine(opts)}`);
  console.log(
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load ${machine.loadBefore}`,
  );
  if (opts.profileDir !== undefined) mkdirSync(opts.profileDir, { recursive: true });

  const results: RunResult[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    for (const mode of opts.modes) {
      for (const target of opts.targets) {
        process.stdout.write(`  round ${round} ${target} ${mode} ... `);
        const r = await runScenario(target, mode, opts);
        results.push(r);
        console.log(
          r.note.startsWith('failed')
            ? r.note
            : `${r.delivered}/${r.expected} in ${r.seconds.toFixed(2)} s, ` +
                `${r.cpuUsPerDelivery.toFixed(2)} µs CPU/delivery ` +
                `(${Math.round(r.systemShare * 100)}% kernel), p99 ${r.latency.p99.toFixed(2)} ms, ` +
                `load gen. ${Math.round(r.clientBusy * 100)}% busy` +
                (r.pipeline?.publisherClosed ? `, publisher ${r.pipeline.publisherClosed}` : '') +
                (r.note === '' ? '' : ` (${r.note})`),
        );
      }
    }
  }

  const summary = summarizeRounds(results);
  if (opts.modes.some((m) => m !== 'pipelined')) {
    console.log(`\n${blocks(resultsTable(summary), ratioTable(summary))}`);
  }
  if (opts.modes.includes('pipelined')) {
    const tables = blocks(pipelinedTable(summary), pipelinedRatioTable(summary));
    console.log(`\npipelined burst of ${opts.pipelined}:\n${tables}`);
  }
  const protocolCost = protocolCostTable(summary);
  if (protocolCost !== '') {
    console.log(`\nsubscribers on the Centrifugo protocol against the text protocol:\n${protocolCost}`);
  }
  const historyCost = historyCostTable(summary);
  if (historyCost !== '') console.log(`\nhistory on (memory, Redis engines) against off:\n${historyCost}`);
  if (opts.out !== undefined) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, resultsFile(summary, opts, machine, command, startedAt));
    console.log(`results written to ${opts.out}`);
  }
}

/** Tables one after the other, an empty line between, none for a table left out. */
function blocks(...tables: string[]): string {
  return tables.filter((t) => t !== '').join('\n');
}

runMain(main);
