/** Graceful stop on SIGINT/SIGTERM: the gateway closes its clients with 1001 within its grace time, then exits. */
import type { Gateway } from './gateway.js';

export function closeOnSignals(
  gateway: Gateway,
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    gateway.logger.info({ signal }, 'signal received');
    for (const s of signals) process.off(s, onSignal);
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        gateway.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
}
