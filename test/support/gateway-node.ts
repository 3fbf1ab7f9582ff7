/**
 * Entry of one gateway node run as a child process by tests and benchmarks (see node-process.ts): the chat demo
 * app with its configuration from the environment and flags, on the port it is given (0 by default), and the
 * admin dashboard when ADMIN_PASSWORD is set. Prints one line on stdout once listening:
 * `tars-ws-node-ready {"url": "http://127.0.0.1:PORT", "processIndex": N, "pid": P}`. With an IPC
 * channel it answers `{type: 'cpu'}` with its CPU usage and exits when the parent goes away.
 */
import { createChatApp } from '../../examples/chat/app.js';
import { enableAdmin, loadConfig } from '../../src/index.js';
import { ConfigError } from '../../src/errors.js';
import { closeOnSignals } from '../../src/gateway/signals.js';
import { READY_MARKER, type NodeCpu, type NodeReady } from './node-process.js';

try {
  const config = loadConfig({ env: { PORT: '0', ...process.env }, argv: process.argv.slice(2) });
  const gateway = await createChatApp(config);
  // With ADMIN_PASSWORD the dashboard, as runGateway mounts it: its drain ends the process like SIGTERM.
  await enableAdmin(gateway, { afterDrain: () => process.exit(0) });
  closeOnSignals(gateway);
  await gateway.listen();
  if (process.send) {
    process.on('message', (msg: { type?: string }) => {
      if (msg.type !== 'cpu') return;
      const { user, system } = process.cpuUsage();
      const reply: NodeCpu = { type: 'cpu', user, system, deliveries: gateway.stats.deliveries };
      process.send?.(reply);
    });
    // The parent went away (or cut the channel): do not outlive it.
    process.on('disconnect', () => void gateway.close().finally(() => process.exit(0)));
  }
  const ready: NodeReady = { url: gateway.url, processIndex: gateway.processIndex, pid: process.pid };
  process.stdout.write(`${READY_MARKER}${JSON.stringify(ready)}\n`);
} catch (err) {
  console.error(
    `gateway-node: ${err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)}`,
  );
  process.exit(2);
}
