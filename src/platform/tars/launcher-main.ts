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
    launcher = new Launcher({
      ...args,
      // Test knobs: the platform's own intervals are too slow for a test to wait for.
      keepAliveIntervalMs: positiveEnv('TARS_WS_KEEPALIVE_INTERVAL_MS'),
      statMinIntervalMs: positiveEnv('TARS_WS_STAT_MIN_INTERVAL_MS'),
      statStore: process.env['STAT_STORE'],
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
  try {
    await launcher.start();
  } catch (err) {
    // e.g. AdminObj's port taken: say why where tarsnode keeps it, stop what did start, and let tarsnode retry.
    launcher.logger.fatal({ err }, 'launcher failed to start');
    process.stderr.write(`tars-ws launcher: ${err instanceof Error ? err.message : String(err)}\n`);
    await launcher.stop();
    process.exit(err instanceof ConfigError ? 2 : 1);
  }
}

function positiveEnv(name: string): number | undefined {
  const n = Number(process.env[name] ?? '');
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

await main();
