/**
 * Tars RPC benchmark (`npx tsx bench/tars-rpc.ts [--seconds 3] [--concurrency 64]`): calls/s and latency at a
 * fixed number of calls in flight, our client against @tars/rpc's client, both calling the same server in a child
 * process (an @tars/rpc server, then ours), in TARS and TUP. Prints a table and keeps the last run in
 * bench/results/tars-rpc.md. Not a test: it measures, it does not judge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { ObjectProxy } from '../src/tars/rpc/object-proxy.js';
import { TarsServer } from '../src/tars/rpc/tars-server.js';
import { EchoImpl, EchoProxy, echoOperations } from '../test/support/tars-official/interop.js';
import { officialEchoClient, startOfficialEchoServer } from '../test/support/tars-official/official-rpc.js';

const SERVANT = 'Bench.RpcServer.EchoObj';

type ServerKind = 'official' | 'ours';
type ClientKind = 'ours' | 'official';

interface Result {
  server: ServerKind;
  client: ClientKind;
  version: 1 | 3;
  calls: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Client process CPU (user + system) per call, µs, warm-up included. */
  cpuUs: number;
}

function opt(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!(v > 0)) throw new Error(`--${name} must be a positive number`);
  return v;
}

/** Child mode: host the servant and print the endpoint. */
async function serve(kind: ServerKind): Promise<void> {
  if (kind === 'official') {
    const s = await startOfficialEchoServer(SERVANT);
    console.log(`ENDPOINT ${s.endpoint}`);
  } else {
    const s = new TarsServer({ port: 0 });
    s.addServant(SERVANT, new EchoImpl(), echoOperations);
    await s.listen();
    console.log(`ENDPOINT ${s.endpoint}`);
  }
}

async function startServer(kind: ServerKind): Promise<{ child: ChildProcess; endpoint: string }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--serve', kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ENDPOINT (.+)\n/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, endpoint };
}

/** Keeps `concurrency` calls in flight for `seconds`, recording each call's latency. */
async function drive(
  call: () => Promise<unknown>,
  concurrency: number,
  seconds: number,
): Promise<Omit<Result, 'server' | 'client' | 'version'>> {
  const warmEnd = performance.now() + 500;
  const end = warmEnd + seconds * 1000;
  const lat: number[] = [];
  let errors = 0;
  let total = 0;
  let firstError = '';
  const cpu0 = process.cpuUsage();
  const worker = async (): Promise<void> => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      try {
        await call();
      } catch (e) {
        errors++;
        firstError ||= String((e as Error).message);
      }
      const t1 = performance.now();
      total++;
      if (t0 >= warmEnd) lat.push(t1 - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  if (firstError) console.error(`  first error: ${firstError}`);
  lat.sort((a, b) => a - b);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? NaN;
  return {
    calls: lat.length,
    errors,
    seconds,
    p50: q(0.5),
    p99: q(0.99),
    cpuUs: (cpu.user + cpu.system) / total,
  };
}

async function run(
  server: ServerKind,
  endpoint: string,
  client: ClientKind,
  version: 1 | 3,
  concurrency: number,
  seconds: number,
): Promise<Result> {
  const address = `${SERVANT}@${endpoint}`;
  if (client === 'ours') {
    const proxy = new ObjectProxy(address, { version });
    const echo = new EchoProxy(proxy);
    const r = await drive(() => echo.hello(1, 'bench'), concurrency, seconds);
    await proxy.close();
    return { server, client, version, ...r };
  }
  const c = officialEchoClient(address, version);
  const r = await drive(() => c.hello(1, 'bench'), concurrency, seconds);
  c.destroy();
  return { server, client, version, ...r };
}

async function main(): Promise<void> {
  const seconds = opt('seconds', 3);
  const concurrency = opt('concurrency', 64);
  const command = `npx tsx bench/tars-rpc.ts${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}`;
  const cpus = os.cpus();
  const machine = `${cpus.length} CPUs (${cpus[0]?.model ?? '?'}), ${os.platform()} ${os.release()}, Node ${process.version}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
  console.log(
    `Tars RPC benchmark: hello(int, string), ${concurrency} calls in flight, ${seconds} s per run\nmachine: ${machine}`,
  );
  const results: Result[] = [];
  for (const server of ['official', 'ours'] as const) {
    const { child, endpoint } = await startServer(server);
    try {
      for (const version of [1, 3] as const) {
        for (const client of ['official', 'ours'] as const) {
          process.stdout.write(`  ${server} server, ${client} client, v${version} ... `);
          const r = await run(server, endpoint, client, version, concurrency, seconds);
          results.push(r);
          console.log(
            `${Math.round(r.calls / r.seconds)} calls/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, client CPU ${r.cpuUs.toFixed(1)} µs/call${r.errors ? `, ${r.errors} errors` : ''}`,
          );
        }
      }
    } finally {
      child.kill();
    }
  }
  const table = report(results);
  console.log(`\n${table}`);
  const md =
    `# Tars RPC benchmark\n\nLast run: ${new Date().toISOString()}\n\nCommand: \`${command}\`\n\nMachine: ${machine}\n\n` +
    `Method: one client process keeps ${concurrency} \`hello(int, string)\` calls in flight for ${seconds} s (after a 0.5 s warm-up) ` +
    `against a server in a child process (the @tars/rpc 2.0.15 server, then ours), once per client and packet version. ` +
    `Latency is per call, measured in the client. Both processes share the machine's cores.\n\n${table}\n\n${NOTES}\n`;
  writeFileSync(fileURLToPath(new URL('./results/tars-rpc.md', import.meta.url)), md);
}

const NOTES =
  'Reading it: against the @tars/rpc server, the server process is the limit for both clients, so calls/s differ ' +
  'little there; the client CPU column (process CPU per call, warm-up included) is the client-side comparison. ' +
  'Against our server, the client is the limit. On a shared 2-core machine, figures move by tens of percent ' +
  'between runs; compare rows of the same run.';

function report(results: Result[]): string {
  const rows = [
    '| server | version | client | calls/s | p50 ms | p99 ms | client CPU µs/call | errors | calls/s ours / official | client CPU official / ours |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const rate = r.calls / r.seconds;
    const peer = results.find(
      (o) => o.server === r.server && o.version === r.version && o.client === 'official',
    );
    const ratio = r.client === 'ours' && peer ? `${(rate / (peer.calls / peer.seconds)).toFixed(2)}x` : '';
    const cpuRatio = r.client === 'ours' && peer ? `${(peer.cpuUs / r.cpuUs).toFixed(2)}x` : '';
    rows.push(
      `| ${r.server === 'ours' ? 'tars-ws' : '@tars/rpc'} | ${r.version === 1 ? 'TARS' : 'TUP'} | ${r.client === 'ours' ? 'tars-ws' : '@tars/rpc'} | ${Math.round(rate)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuUs.toFixed(1)} | ${r.errors} | ${ratio} | ${cpuRatio} |`,
    );
  }
  return rows.join('\n');
}

const serveIdx = process.argv.indexOf('--serve');
if (serveIdx >= 0) {
  await serve(process.argv[serveIdx + 1] === 'official' ? 'official' : 'ours');
} else {
  await main();
  process.exit(0);
}
