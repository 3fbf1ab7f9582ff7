/**
 * The demo application: the two-room chat of the original example, on one port.
 * - WebSocket: the `cmd|payload` commands (messages/), any path.
 * - HTTP: /Index/* push endpoints and /monitor/monitor (controllers/), the chat pages under /clients/.
 * - `/` answers `index success!!` like the original; browsers asking for HTML are sent to the pages instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Gateway, type GatewayConfig, type GatewayDeps } from '../../src/index.js';
import { IndexController } from './controllers/index-controller.js';
import { MonitorController } from './controllers/monitor-controller.js';
import { registerChatMessages } from './messages/chat-messages.js';

/** Folder of the chat pages: next to this file in the sources; tsc does not copy them to dist/, so look back there. */
export const CLIENTS_DIR =
  [new URL('./clients/', import.meta.url), new URL('../../../examples/chat/clients/', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL('./clients/', import.meta.url));

export async function createChatApp(
  config: Readonly<GatewayConfig>,
  deps: GatewayDeps = {},
): Promise<Gateway> {
  const gateway = await Gateway.create(config, deps);
  registerChatMessages(gateway);
  gateway.controller('Index', IndexController);
  gateway.controller('monitor', MonitorController);
  gateway.serveStatic('/clients/', CLIENTS_DIR);
  gateway.route('/', ({ req, res }) => {
    if ((req.headers.accept ?? '').includes('text/html')) {
      res.statusCode = 302;
      res.setHeader('location', '/clients/');
      return '';
    }
    return 'index success!!';
  });
  return gateway;
}
