/**
 * Target `tars-ws-stats`: the tars-ws target with statistics on, as on the Tars platform: `attachWorkerStats`
 * observes every command and HTTP call, and `startStatReporting` reports every second (the platform's minimum is
 * 10 s: this is ten times the real load) to a StatObj and a PropertyObj hosted in the same process, so that the
 * CPU of encoding, sending and decoding the reports counts against this target too.
 */
import { pino } from 'pino';
import { createChatApp } from '../../../examples/chat/app.js';
import { attachWorkerStats, startStatReporting } from '../../../src/platform/stats/index.js';
import { PropertyFServant } from '../../../src/platform/tars/generated/PropertyF.js';
import { StatFServant } from '../../../src/platform/tars/generated/StatF.js';
import { TarsServer } from '../../../src/tars/index.js';
import type { BenchServer } from './server.js';
import { benchConfig } from './tars-ws-server.js';

class StatSink extends StatFServant {
  reportMicMsg(): number {
    return 0;
  }
  reportSampleMsg(): number {
    return 0;
  }
}

class PropertySink extends PropertyFServant {
  reportPropMsg(): number {
    return 0;
  }
}

export async function startTarsWsStats(): Promise<BenchServer> {
  const logger = pino({ level: 'silent' });
  const sinks = new TarsServer({ host: '127.0.0.1', port: 0, logger });
  sinks.addServant('tars.tarsstat.StatObj', new StatSink(), StatFServant.operations);
  sinks.addServant('tars.tarsproperty.PropertyObj', new PropertySink(), PropertyFServant.operations);
  const { port } = await sinks.listen();
  const gateway = await createChatApp(benchConfig());
  attachWorkerStats(gateway);
  const reporting = startStatReporting({
    tarsConfig: {
      app: 'Bench',
      server: 'WsServer',
      localIp: '127.0.0.1',
      moduleName: 'Bench.WsServer',
      enableSet: false,
      setDivision: '',
      locator: '',
      stat: `tars.tarsstat.StatObj@tcp -h 127.0.0.1 -p ${port}`,
      property: `tars.tarsproperty.PropertyObj@tcp -h 127.0.0.1 -p ${port}`,
      reportIntervalMs: 1000,
    },
    logger,
    minIntervalMs: 1000,
  });
  await gateway.listen();
  return {
    url: gateway.url,
    close: async () => {
      await gateway.close();
      await reporting.stop();
      await sinks.close(1000);
    },
  };
}
