/**
 * Connect benchmark (`npm run bench:connect`): how many Centrifugo connections per second tars-ws accepts, and at
 * what server CPU per connect, with HS256 connection tokens against anonymous connects, in one run. Prints markdown
 * tables and keeps the last full run in bench/results/connect.md. Not a test: it measures, it does not judge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseOptions, USAGE } from './connect/options.js';
import { ratioTable, resultsFile, resultsTable, settingsLine, summarize } from './connect/report.js';
import { runConnects, type ConnectResult } from './connect/run.js';
import { signTokens } from './connect/tokens.js';
import { machineInfo } from './fanout/machine.js';
import { runMain } from './fanout/run-main.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(`connect benchmark: Centrifugo connects with HS256 tokens against anonymous\n${USAGE}`);
    return;
  }
  const opts = parseOptions(args);
  const startedAt = new Date();
  const machine = machineInfo();
  const command = ['npm run bench:connect', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  console.log(`connect benchmark: ${settingsLine(opts)}`);
  console.log(
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load ${machine.loadBefore}`,
  );
  if (opts.profileDir !== undefined) mkdirSync(opts.profileDir, { recursive: true });
  const tokens = opts.modes.includes('hs256') ? await signTokens(opts.connections + opts.warmup) : [];

  const results: ConnectResult[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    for (const mode of opts.modes) {
      process.stdout.write(`  round ${round} ${mode} ... `);
      const r = await runConnects(mode, opts, tokens);
      results.push(r);
      console.log(
        r.note.startsWith('failed')
          ? r.note
          : `${r.opened}/${r.attempted} in ${r.seconds.toFixed(2)} s, ${Math.round(r.connectsPerSec)} connects/s, ` +
              `${r.cpuUsPerConnect.toFixed(1)} µs server CPU/connect, p99 ${r.latency.p99.toFixed(1)} ms, ` +
              `load gen. ${Math.round(r.clientBusy * 100)}% busy` +
              (r.note === '' ? '' : ` (${r.note})`),
      );
    }
  }

  const summary = summarize(results);
  console.log(`\n${resultsTable(summary)}\n${ratioTable(summary)}`);
  if (opts.out !== undefined) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, resultsFile(summary, opts, machine, command, startedAt));
    console.log(`results written to ${opts.out}`);
  }
}

runMain(main);
