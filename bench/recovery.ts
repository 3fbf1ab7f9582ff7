/**
 * Recovery benchmark (`npm run bench:recovery`): N Centrifugo clients subscribed to a channel that keeps history go
 * away, M messages are published, and all come back at once asking to recover. Measures the time until all are
 * recovered, server CPU and Redis commands per recovery, on the memory and Redis history engines. Prints markdown
 * tables and keeps the last full run in bench/results/recovery.md. Not a test: it measures, it does not judge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { machineInfo } from './fanout/machine.js';
import { runMain } from './fanout/run-main.js';
import { parseOptions, USAGE } from './recovery/options.js';
import { redisTable, resultsFile, resultsTable, settingsLine } from './recovery/report.js';
import { runEngine, type RecoveryResult } from './recovery/run.js';
import { hasRedisServerBinary, SpawnedRedis } from '../test/support/redis-server.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(`recovery benchmark: clients recovering missed messages at once\n${USAGE}`);
    return;
  }
  const opts = parseOptions(args);
  const startedAt = new Date();
  const machine = machineInfo();
  const command = ['npm run bench:recovery', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  // A Redis of its own, so that INFO commandstats counts this gateway's commands and nobody else's.
  const spawned =
    opts.engines.includes('redis') && opts.redisUrl === undefined && hasRedisServerBinary()
      ? await SpawnedRedis.start()
      : undefined;
  const redisUrl = opts.redisUrl ?? spawned?.url ?? 'redis://127.0.0.1:6379';
  const redisNote = spawned
    ? `a redis-server of its own (${redisUrl})`
    : `${redisUrl} (shared: counts may include other clients)`;
  console.log(`recovery benchmark: ${settingsLine(opts, redisNote)}`);
  console.log(
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load ${machine.loadBefore}`,
  );
  const results: RecoveryResult[] = [];
  try {
    for (const engine of opts.engines) {
      process.stdout.write(`  ${engine} ... `);
      const r = await runEngine(engine, opts, engine === 'redis' ? redisUrl : undefined);
      results.push(r);
      console.log(
        r.note.startsWith('failed')
          ? r.note
          : `${r.recovered}/${r.clients} recovered in ${r.allMs.toFixed(0)} ms (p99 ${r.p99Ms.toFixed(0)} ms), ` +
              `${(r.recovery.cpuUs / r.clients).toFixed(1)} µs server CPU/recovery` +
              (r.recovery.redis
                ? `, ${(r.recovery.redis.total / r.clients).toFixed(2)} Redis commands/recovery`
                : '') +
              (r.note === '' ? '' : ` (${r.note})`),
      );
    }
  } finally {
    await spawned?.kill();
  }
  console.log(`\n${resultsTable(results)}`);
  const redis = redisTable(results);
  if (redis !== '') console.log(redis);
  if (opts.out !== undefined) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, resultsFile(results, opts, redisNote, machine, command, startedAt));
    console.log(`results written to ${opts.out}`);
  }
}

runMain(main);
