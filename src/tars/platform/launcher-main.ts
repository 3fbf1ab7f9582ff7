/**
 * The launcher's command line, exactly as tarsnode runs it:
 * `node tars_nodejs/node-agent/bin/node-agent <app dir> -c <conf>`. Exits 2 on a bad config (the message goes to
 * stderr, which tarsnode keeps), 0 after a clean stop (AdminObj shutdown, SIGTERM, SIGINT).
 */
import { ConfigError } from '../../errors.js';
import { parseLauncherArgs } from './launcher-args.js';
import { Launcher } from './launcher.js';

/** Starts the launcher from `process.argv`; never resolves in normal operation (the process exits). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let launcher: Launcher;
  try {
    const args = parseLauncherArgs(argv);
    const interval = Number(process.env['TARS_WS_KEEPALIVE_INTERVAL_MS'] ?? '');
    launcher = new Launcher({
      ...args,
      keepAliveIntervalMs: Number.isSafeInteger(interval) && interval > 0 ? interval : undefined,
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`tars-ws launcher: ${err.message}\n`);
    process.exit(2);
  }
  const stop = (signal: NodeJS.Signals): void => {
    launcher.logger.info({ signal }, 'signal received');
    void launcher.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await launcher.start();
}

await main();
