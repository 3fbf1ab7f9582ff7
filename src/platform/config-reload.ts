/**
 * Applies a config file to a running gateway (what `tars.loadconfig FILE` does in every worker): resolves the
 * config again with that file, takes the options that can change live, sets the logger's level, and says which
 * other options changed but wait for a restart.
 */
import { LiveSettings, formatChange, type ConfigChange } from '../config/live-settings.js';
import { ConfigError } from '../errors.js';
import type { Gateway } from '../gateway/gateway.js';
import { setLogLevel } from '../logger.js';

/**
 * Reads `file` in place of the config file of its kind and applies the result to `gateway`; nothing changes when
 * the file is invalid.
 * @throws ConfigError when the file is invalid, or the gateway's config did not come from loadConfig().
 * @example
 *   describeChanges(reloadGatewayConfig(gateway, '/usr/local/app/tars/tarsnode/data/Demo.WsServer/bin/tars-ws.json'));
 *   // 'applied: maxConnections 100000 -> 5000; needs a restart (not applied): port 8080 -> 8081'
 */
export function reloadGatewayConfig(gateway: Gateway, file: string): ConfigChange[] {
  const settings = LiveSettings.of(gateway.config);
  if (settings === undefined) {
    throw new ConfigError(
      'config',
      "this gateway's config does not come from loadConfig(), so nothing in it can change while it runs",
    );
  }
  const next = settings.reread(file);
  const changes = settings.apply(next);
  if (changes.some((c) => c.key === 'logLevel' && c.live)) setLogLevel(gateway.logger, next.logLevel);
  gateway.logger.info(
    { file, changes: changes.map((c) => `${formatChange(c)}${c.live ? '' : ' (restart)'}`) },
    'config reloaded',
  );
  return changes;
}
