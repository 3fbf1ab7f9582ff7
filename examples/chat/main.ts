/**
 * Starts the chat demo: `npm start` (after a build), or `npm run dev` from the sources.
 * Configuration: defaults < `--config file.json` / TARS_WS_CONFIG < environment (HOST, PORT, ...) < flags
 * (`--host`, `--port`, ...); see docs/configuration in the README.
 */
import { closeOnSignals, ConfigError, loadConfig } from '../../src/index.js';
import { createChatApp } from './app.js';

try {
  const config = loadConfig({ argv: process.argv.slice(2) });
  const gateway = await createChatApp(config);
  closeOnSignals(gateway);
  await gateway.listen();
  console.log(`tars-ws chat demo: open ${gateway.url}/clients/ in a browser`);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`tars-ws: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
