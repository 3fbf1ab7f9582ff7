/**
 * Child process of test/integration/backend-loading.test.ts: records every module it resolves from here on, imports
 * the package entry, starts a gateway with the backends its environment names (ROOM_STORE, BROKER, ...), connects
 * one client and exchanges a ping, stops, then prints one line: `backend-probe {"modules": [...], "clients": [...]}`
 * with every resolved URL and the backend clients (ioredis, nats, proper-lockfile) that were loaded.
 *
 * `ROOM_STORE=redis node --import tsx test/support/backend-loading-probe.ts`
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROBE_MARKER = 'backend-probe ';
const CLIENTS = {
  ioredis: '/node_modules/ioredis/',
  nats: '/node_modules/nats/',
  'proper-lockfile': '/node_modules/proper-lockfile/',
} as const;

const dir = mkdtempSync(join(tmpdir(), 'tars-ws-probe-'));
const file = join(dir, 'resolved.txt');
// Also when the gateway fails to start: the record must not outlive the probe.
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
register(new URL('./load-recorder.mjs', import.meta.url), { data: { file } });

const { Gateway, loadConfig, registerRoomCommands } = await import('../../src/index.js');
const { default: WebSocket } = await import('ws');

// The backends come from the environment (ROOM_STORE, BROKER, REDIS_URL, ...), as for any deployment.
const gateway = await Gateway.create(
  loadConfig({
    env: process.env,
    overrides: { port: 0, logLevel: 'silent', heartbeatIntervalMs: 0, drainMs: 0 },
  }),
);
registerRoomCommands(gateway);
await gateway.listen();
const ws = new WebSocket(gateway.url.replace(/^http/, 'ws') + '/');
ws.on('error', (err) => {
  process.stderr.write(`probe client: ${err.message}\n`);
  process.exit(3);
});
await new Promise<void>((resolve) => ws.once('open', () => resolve()));
const pong = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
ws.send('ping');
if ((await pong) !== 'pong') throw new Error('the probe gateway did not answer ping');
ws.close();
await gateway.close();

const modules = readFileSync(file, 'utf8').split('\n').filter(Boolean);
// Packages loaded by require() (CommonJS inside CommonJS) never reach the ESM hooks: look in require's cache too.
const required = Object.keys(createRequire(import.meta.url).cache);
const clients = Object.entries(CLIENTS)
  .filter(([, path]) => [...modules, ...required].some((m) => m.includes(path)))
  .map(([name]) => name);
process.stdout.write(`${PROBE_MARKER}${JSON.stringify({ modules, clients })}\n`);
