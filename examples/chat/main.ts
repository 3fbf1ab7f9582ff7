/**
 * Starts the chat demo: `npm start` (after a build), or `npm run dev` from the sources.
 * Configuration: defaults < `--config file.json` / TARS_WS_CONFIG < environment (HOST, PORT, WORKERS, ...) < flags
 * (`--host`, `--port`, `--workers`, ...); see the configuration table in the README. When no config file is named
 * (no `--config`/`-c`, TARS_WS_CONFIG or TARS_CONFIG), the demo's own `config.json` is read: rooms open to SDK
 * clients and a `chat` namespace.
 */
import { ConfigError, loadConfig, runGateway } from '../../src/index.js';
import { createChatApp, DEMO_CONFIG } from './app.js';

function demoArgv(argv: string[]): string[] {
  const named =
    argv.some((a) => a === '-c' || a === '--config' || a.startsWith('--config=')) ||
    Boolean(process.env['TARS_WS_CONFIG']) ||
    Boolean(process.env['TARS_CONFIG']);
  return named || DEMO_CONFIG === undefined ? argv : [...argv, '--config', DEMO_CONFIG];
}

try {
  const config = loadConfig({ argv: demoArgv(process.argv.slice(2)) });
  const running = await runGateway(config, createChatApp);
  if (running.role !== 'worker') {
    const port = running.role === 'primary' ? running.port : running.gateway.address.port;
    console.log(`tars-ws chat demo: open http://${config.host}:${port}/clients/ in a browser`);
  }
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`tars-ws: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
