/**
 * A clustered chat demo for tests: `WORKERS=2 node --import tsx test/support/cluster-app.ts`. The primary prints
 * `{"port":N}` on stdout once every worker listens. Adds `whoami` (answers `<pid>`), `/test/members?room=` and `/test/push?room=&message=` (both answer with the pid).
 * `engines|<channel>` appends to the channel's history and enters its presence (answers the offset and epoch as
 * JSON); `/test/presence?channel=` answers the channel's presence entries.
 */
import { createChatApp } from '../../examples/chat/app.js';
import { loadConfig, runGateway } from '../../src/index.js';

const config = loadConfig({ overrides: { port: 0, logLevel: 'error', heartbeatIntervalMs: 0 } });
const running = await runGateway(config, async (cfg, deps) => {
  const gateway = await createChatApp(cfg, deps);
  gateway.onMessage('whoami', () => String(process.pid));
  gateway.route('/test/members', async ({ url }) => ({
    members: await gateway.members(gateway.checkRoom(url.searchParams.get('room'))),
    pid: process.pid,
  }));
  gateway.onMessage('engines', async ({ conn, msg }) => {
    const channel = String(msg.data);
    const client = `${process.pid}:${conn.id}`;
    await gateway.presenceStore.add(channel, client, { user: String(process.pid), client });
    const { offset, epoch } = await gateway.historyStore.append(
      channel,
      { data: client },
      { size: 10, ttlMs: 60_000 },
    );
    return JSON.stringify({ offset, epoch });
  });
  gateway.route('/test/presence', async ({ url }) => ({
    presence: await gateway.presenceStore.get(url.searchParams.get('channel') ?? ''),
    pid: process.pid,
  }));
  gateway.route('/test/push', async ({ url }) => {
    const room = gateway.checkRoom(url.searchParams.get('room'));
    await gateway.sendToRoom(room, url.searchParams.get('message') ?? '');
    return { pid: process.pid };
  });
  return gateway;
});
if (running.role === 'primary') {
  process.stdout.write(`${JSON.stringify({ port: running.port, workers: running.supervisor.workers })}\n`);
  running.supervisor.on('ready', (workerId, port) => {
    process.stdout.write(
      `${JSON.stringify({ restarted: workerId, port, workers: running.supervisor.workers })}\n`,
    );
  });
}
