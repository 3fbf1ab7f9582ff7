/**
 * The entry of a benchmark that forks server processes: runs its main, ends every server however the process
 * ends, and exits 2 on a usage error (the message and usage printed), 1 on any other failure.
 */
import { UsageError } from './flags.js';
import { killAllServers } from './server-process.js';

export function runMain(main: () => Promise<void>): void {
  process.on('exit', killAllServers);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllServers();
      process.exit(130);
    });
  }
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof UsageError ? err.message : err);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
