/**
 * The demo application: the two-room chat of the original example, on one port.
 * - WebSocket: the `cmd|payload` commands (messages/), any path.
 * - HTTP: /Index/* push endpoints, /monitor/monitor, /Hello/hello (controllers/), the chat pages under /clients/
 *   (client3.html on the Centrifugo SDK, with /demo/token minting demo tokens when a token secret is set).
 * - Tars: `hello|{"no":1,"name":"x"}` and /Hello/hello call TestApp.HelloServer.HelloObj (`npm run hello-server`).
 * - `/` answers `index success!!` like the original; browsers asking for HTML are sent to the pages instead.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Gateway, type GatewayConfig, type GatewayDeps } from '../../src/index.js';
import { demoTokenRoute } from './demo-token.js';
import { IndexController } from './controllers/index-controller.js';
import { MonitorController } from './controllers/monitor-controller.js';
import { helloController } from './controllers/hello-controller.js';
import { createHelloClient, DEFAULT_HELLO_OBJ } from './hello-client.js';
import { registerChatMessages } from './messages/chat-messages.js';

/** Folder of the chat pages: next to this file in the sources; tsc does not copy them to dist/, so look back there. */
export const CLIENTS_DIR =
  [new URL('./clients/', import.meta.url), new URL('../../../examples/chat/clients/', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL('./clients/', import.meta.url));

/**
 * The demo's config file (rooms open to SDK clients, a `chat` namespace), next to this file in the sources; tsc does
 * not copy it to dist/, so look back there too. Undefined when neither exists (an installed package without it).
 */
export const DEMO_CONFIG = [
  new URL('./config.json', import.meta.url),
  new URL('../../../examples/chat/config.json', import.meta.url),
]
  .map((u) => fileURLToPath(u))
  .find((file) => existsSync(file));

/** The browser build of the official Centrifugo SDK, from its installed package (client3.html loads it). */
const CENTRIFUGE_SDK_DIR = join(dirname(createRequire(import.meta.url).resolve('centrifuge')), '..', 'dist');

export interface ChatAppOptions {
  /** Address of the Tars Hello service; default env HELLO_OBJ, else {@link DEFAULT_HELLO_OBJ}. */
  helloObj?: string;
  /** Per-call timeout of Hello calls in ms. Default 3000. */
  helloTimeoutMs?: number;
}

export async function createChatApp(
  config: Readonly<GatewayConfig>,
  deps: GatewayDeps = {},
  options: ChatAppOptions = {},
): Promise<Gateway> {
  const gateway = await Gateway.create(config, deps);
  const hello = createHelloClient(
    options.helloObj ?? process.env['HELLO_OBJ'] ?? DEFAULT_HELLO_OBJ,
    gateway.logger,
    options.helloTimeoutMs,
  );
  gateway.atShutdown(() => hello.close());
  registerChatMessages(gateway, hello);
  gateway.controller('Hello', helloController(hello));
  gateway.controller('Index', IndexController);
  gateway.controller('monitor', MonitorController);
  gateway.serveStatic('/clients/vendor/centrifuge/', CENTRIFUGE_SDK_DIR);
  gateway.serveStatic('/clients/', CLIENTS_DIR);
  gateway.route('/demo/token', demoTokenRoute(config, gateway.logger));
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
