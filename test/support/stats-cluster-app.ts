/**
 * A clustered chat demo that reports statistics, for tests: `WORKERS=2 STAT_OBJ=... PROPERTY_OBJ=...
 * node --import tsx test/support/stats-cluster-app.ts`. Workers attach their stats (shipping every 100 ms); the
 * primary reports every second. The primary prints `{"port":N,"workers":[...]}` once every worker listens.
 * Adds `whoami` (answers `<pid>`).
 */
import { createChatApp } from '../../examples/chat/app.js';
import { createLogger, loadConfig, runGateway } from '../../src/index.js';
import { attachWorkerStats, startStatReporting } from '../../src/platform/stats/index.js';

const config = loadConfig({ overrides: { port: 0, logLevel: 'error', heartbeatIntervalMs: 0 } });
const running = await runGateway(config, async (cfg, deps) => {
  const gateway = await createChatApp(cfg, deps);
  gateway.onMessage('whoami', () => String(process.pid));
  attachWorkerStats(gateway, { shipIntervalMs: 100 });
  return gateway;
});
if (running.role === 'primary') {
  const reporting = startStatReporting({
    tarsConfig: {
      app: 'Demo',
      server: 'WsServer',
      localIp: '127.0.0.1',
      moduleName: 'Demo.WsServer',
      enableSet: false,
      setDivision: '',
      locator: '',
      stat: process.env.STAT_OBJ ?? '',
      property: process.env.PROPERTY_OBJ ?? '',
      reportIntervalMs: 1000,
    },
    supervisor: running.supervisor,
    logger: createLogger('error', 'stats-primary'),
    minIntervalMs: 0,
    sampleIntervalMs: 100,
  });
  process.once('SIGTERM', () => void reporting.stop());
  process.stdout.write(`${JSON.stringify({ port: running.port, workers: running.supervisor.workers })}\n`);
}
