/**
 * Starts the chat demo: `npm start` (after a build), or `npm run dev` from the sources.
 * Configuration: defaults < `--config file.json` / TARS_WS_CONFIG < environment (HOST, PORT, WORKERS, ...) < flags
 * (`--host`, `--port`, `--workers`, ...); see the configuration table in the README.
 */
import { ConfigError, loadConfig, runGateway } from '../../src/index.js';
import { createChatApp } from './app.js';

try {
  const config = loadConfig({ argv: process.argv.slice(2) });
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
