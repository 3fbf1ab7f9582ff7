/**
 * The reporting process (the cluster primary, or the single process): gathers the workers' deltas into the stat
 * store and, every max(report-interval, 10 s), sends the traffic to StatObj (`reportMicMsg`) and the properties to
 * PropertyObj (`reportPropMsg`). A report that fails puts its records back, so they go out with the next one.
 */
import type { Supervisor } from '../supervisor.js';
import type { Logger } from '../../logger.js';
import type { Invoker } from '../../tars/contract.js';
import { PropertyFProxy, type StatPropMsgBody, type StatPropMsgHead } from '../tars/generated/PropertyF.js';
import { StatFProxy, type StatMicMsgBody, type StatMicMsgHead } from '../tars/generated/StatF.js';
import type { TarsServerConfig } from '../tars/tars-conf.js';
import { Communicator } from '../../tars/rpc/communicator.js';
import { PROPERTIES } from './properties.js';
import { StatAggregator } from './stat-aggregator.js';
import type { StatRecord } from '../../stats/stat-counter.js';
import { isStatDelta, localStats, STATS_KIND } from './stat-delta.js';
import { parseKey, propBody, propHead, statBody, statHead, type StatNamesConfig } from './stat-messages.js';
import { MemoryStatStore } from '../../stats/stat-store-memory.js';
import type { StatStore } from '../../stats/stat-store.js';

/** The parts of the Tars config reporting uses (a whole `TarsServerConfig` fits). */
export type StatReportingConfig = StatNamesConfig &
  Pick<TarsServerConfig, 'locator' | 'stat' | 'property' | 'reportIntervalMs'> &
  Partial<Pick<TarsServerConfig, 'adapters'>>;

export interface StatReportingOptions {
  tarsConfig: StatReportingConfig;
  /** The cluster's supervisor: deltas come from its workers. Without it, from this process's gateway. */
  supervisor?: Supervisor;
  /** Where counters live between reports. Default: a {@link MemoryStatStore}. */
  store?: StatStore;
  logger: Logger;
  /** Shortest report interval, ms. Default 10000 (the platform's minimum); tests lower it. */
  minIntervalMs?: number;
  /** Property sampling period, ms. Default 1000. */
  sampleIntervalMs?: number;
  /** Send reports one-way (as the platform's services are called). Default true. */
  oneway?: boolean;
  /** Report call timeout, ms. Default 3000. */
  timeoutMs?: number;
  /** slavePort of WebSocket/HTTP traffic. Default: the port of the first not_tars adapter, else 0. */
  port?: number;
}

/** What startStatReporting returns. */
export interface StatReporting {
  /** Stops the timers, sends a last report and releases the connections. */
  stop(): Promise<void>;
  /** Reports now (after taking this process's pending counts); resolves when the report calls are done. */
  flush(): Promise<void>;
  /** Reports sent and failed (a failed report's figures go out with the next one). */
  readonly counters: { reports: number; failures: number; storeErrors: () => number };
}

/**
 * Starts reporting. With no `stat` and no `property` object in the config (a standalone run), it only counts.
 *
 * @example
 *   const tars = readTarsServerConfig(process.env.TARS_CONFIG!);
 *   const reporting = startStatReporting({ tarsConfig: tars, supervisor, logger });
 *   ...
 *   await reporting.stop();
 */
export function startStatReporting(opts: StatReportingOptions): StatReporting {
  const cfg = opts.tarsConfig;
  const logger = opts.logger.child({ component: 'stats' });
  const store = opts.store ?? new MemoryStatStore();
  const aggregator = new StatAggregator(store, logger, { addOwnMemory: opts.supervisor !== undefined });
  const port = opts.port ?? cfg.adapters?.find((a) => a.protocol === 'not_tars')?.endpoint.port ?? 0;
  const oneway = opts.oneway ?? true;
  const comm = new Communicator({
    locator: cfg.locator === '' ? undefined : cfg.locator,
    logger,
    timeout: opts.timeoutMs ?? 3000,
    observer: null, // the reports are not traffic of the application
  });
  const statProxy = proxyOrNone(comm, StatFProxy, cfg.stat, 'stat', logger);
  const propProxy = proxyOrNone(comm, PropertyFProxy, cfg.property, 'property', logger);
  const counters = { reports: 0, failures: 0, storeErrors: () => aggregator.storeErrors };

  // Deltas in.
  const onApp = (workerId: number, kind: string, payload: unknown): void => {
    if (kind !== STATS_KIND) return;
    if (isStatDelta(payload)) aggregator.ingest(workerId, payload);
    else logger.warn({ workerId }, 'malformed statistics delta ignored');
  };
  const onExit = (workerId: number): void => aggregator.dropSource(workerId);
  if (opts.supervisor) {
    opts.supervisor.on('app', onApp);
    opts.supervisor.on('exit', onExit);
  } else {
    localStats.setSink((d) => aggregator.ingest(0, d));
  }

  const failed = (what: string, records: [string, StatRecord][], err: unknown): void => {
    counters.failures++;
    aggregator.restore(records);
    logger.warn(
      { err: err instanceof Error ? err.message : String(err), keys: records.length },
      `${what} report failed; its figures go out with the next report`,
    );
  };

  const report = async (): Promise<void> => {
    if (!opts.supervisor) localStats.drainAll();
    aggregator.sample(); // so that a report always has the latest gauges, even a flush right after start
    await aggregator.flush();
    let keys: string[];
    try {
      keys = await store.keys();
    } catch {
      return; // counted and logged by the store; the figures stay there for the next report
    }
    const server = new Map<StatMicMsgHead, StatMicMsgBody>();
    const client = new Map<StatMicMsgHead, StatMicMsgBody>();
    const props = new Map<StatPropMsgHead, StatPropMsgBody>();
    const taken = {
      server: [] as [string, StatRecord][],
      client: [] as [string, StatRecord][],
      props: [] as [string, StatRecord][],
    };
    await Promise.all(
      keys.map(async (key) => {
        const k = parseKey(key);
        if (!k || (k.type === 'stat' ? !statProxy : !propProxy)) return;
        const def = k.type === 'prop' ? PROPERTIES.find((p) => p.name === k.name) : undefined;
        if (k.type === 'prop' && !def) return;
        const r = await store.take(key).catch(() => undefined);
        if (!r) return;
        if (k.type === 'prop') {
          props.set(propHead(cfg, k.name), propBody(def!, r));
          taken.props.push([key, r]);
        } else if (k.kind === 'tars') {
          client.set(statHead(cfg, k.kind, k.ret, k.name, port), statBody(r));
          taken.client.push([key, r]);
        } else {
          server.set(statHead(cfg, k.kind, k.ret, k.name, port), statBody(r));
          taken.server.push([key, r]);
        }
      }),
    );
    const sends: Promise<void>[] = [];
    const send = (what: string, records: [string, StatRecord][], call: () => Promise<unknown>): void => {
      if (records.length === 0) return;
      sends.push(
        call().then(
          () => void counters.reports++,
          (err: unknown) => failed(what, records, err),
        ),
      );
    };
    send('stat (server side)', taken.server, () => statProxy!.reportMicMsg(server, false, { oneway }));
    send('stat (client side)', taken.client, () => statProxy!.reportMicMsg(client, true, { oneway }));
    send('property', taken.props, () => propProxy!.reportPropMsg(props, { oneway }));
    await Promise.all(sends);
    if (!opts.supervisor && taken.props.length + taken.server.length + taken.client.length > 0) {
      logger.debug({ server: server.size, client: client.size, props: props.size }, 'statistics reported');
    }
  };

  let running: Promise<void> = Promise.resolve();
  const reportOnce = (): Promise<void> => {
    running = running.then(report).catch((err: unknown) => logger.error({ err }, 'statistics report failed'));
    return running;
  };

  const sampler = setInterval(() => {
    aggregator.sample();
    void aggregator.flush();
  }, opts.sampleIntervalMs ?? 1000);
  sampler.unref();
  const intervalMs = Math.max(cfg.reportIntervalMs, opts.minIntervalMs ?? 10_000);
  const reporter = setInterval(() => void reportOnce(), intervalMs);
  reporter.unref();
  logger.debug({ intervalMs, stat: cfg.stat, property: cfg.property }, 'statistics reporting started');

  let stopping: Promise<void> | undefined;
  return {
    counters,
    flush: reportOnce,
    stop() {
      stopping ??= (async () => {
        clearInterval(sampler);
        clearInterval(reporter);
        await reportOnce();
        if (opts.supervisor) {
          opts.supervisor.off('app', onApp);
          opts.supervisor.off('exit', onExit);
        } else {
          localStats.setSink(undefined);
        }
        await comm.close(1000);
        if (!opts.store) await store.close();
      })();
      return stopping;
    },
  };
}

function proxyOrNone<P>(
  comm: Communicator,
  Proxy: new (invoker: Invoker) => P,
  address: string,
  what: string,
  logger: Logger,
): P | undefined {
  if (address === '') return undefined;
  try {
    return comm.proxy(Proxy, address);
  } catch (err) {
    logger.warn({ err: (err as Error).message, address }, `no ${what} reports: the address cannot be used`);
    return undefined;
  }
}
