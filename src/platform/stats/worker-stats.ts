/**
 * The gateway side of statistics, in each worker (or the single process): observes the gateway's traffic and every
 * Tars call of the process, samples the gauges, and ships a {@link StatDelta} about once a second to the reporting
 * process (the cluster primary over IPC, or the in-process reporter). Nothing here does I/O on the message path.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isClusterWorker, sendToPrimary, workerId } from '../../cluster/worker.js';
import type { Gateway } from '../../gateway/gateway.js';
import { setDefaultCallObserver } from '../../tars/rpc/object-proxy.js';
import { StatCollector } from './stat-collector.js';
import { localStats, STATS_KIND, type StatDelta } from './stat-delta.js';

export interface WorkerStatsOptions {
  /** How often a delta is shipped, ms. Default 1000. */
  shipIntervalMs?: number;
  /** Where deltas go. Default: the primary in a cluster worker, else the reporter of this process (if any). */
  sink?: (delta: StatDelta) => void;
  /** Count every Tars call made by proxies of this process (sets the default call observer). Default true. */
  observeTarsCalls?: boolean;
  /** Sample the deployment's room count here. Default: in worker 0 or a single process. */
  countRooms?: boolean;
  /** See `StatCollectorOptions`. Default 500. */
  maxNamesPerKind?: number;
}

const LAG_RESOLUTION_MS = 20;
/** Ships between two room counts (about 10 s). */
const ROOMS_EVERY = 10;

/** The call observer this module installed last (a later gateway's replaces an earlier one's). */
let installedCallObserver: unknown;

/**
 * Starts counting a gateway's traffic for the stat and property reports. Returns a function that stops and ships
 * the last delta (also done when the gateway closes).
 *
 * @example
 *   const gateway = await createChatApp(config, deps);
 *   const detach = attachWorkerStats(gateway);
 */
export function attachWorkerStats(gateway: Gateway, opts: WorkerStatsOptions = {}): () => void {
  const collector = new StatCollector({ maxNamesPerKind: opts.maxNamesPerKind });
  const sink =
    opts.sink ??
    (isClusterWorker()
      ? (d: StatDelta): void => void sendToPrimary(STATS_KIND, d)
      : (d: StatDelta): void => localStats.send(d));
  const countRooms = opts.countRooms ?? (!isClusterWorker() || workerId() === 0);
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();

  gateway.observe({ message: collector.message, http: collector.http });
  const observeCalls = opts.observeTarsCalls ?? true;
  if (observeCalls) {
    setDefaultCallObserver(collector.call);
    installedCallObserver = collector.call;
  }

  let last = performance.now();
  let lastIn = gateway.stats.messagesIn;
  let lastOut = gateway.stats.deliveries;
  let rooms: number | undefined;
  let countingRooms = false;
  let ships = 0;
  // The room list may be large and may live in another process or in Redis: counted every ROOMS_EVERY ships only.
  const sampleRooms = (): void => {
    if (!countRooms || countingRooms || ships++ % ROOMS_EVERY !== 0) return;
    countingRooms = true;
    gateway.store.rooms().then(
      (r) => {
        rooms = r.length;
        countingRooms = false;
      },
      (err: unknown) => {
        countingRooms = false;
        gateway.logger.debug({ err }, 'room count for statistics failed');
      },
    );
  };

  const ship = (): void => {
    const now = performance.now();
    const mem = process.memoryUsage();
    const { messagesIn, deliveries } = gateway.stats;
    const maxNs = lag.count > 0 ? lag.max : 0;
    const delta: StatDelta = {
      elapsedMs: now - last,
      entries: collector.drain(),
      gauges: {
        connections: gateway.connectionCount,
        rooms,
        messagesIn: messagesIn - lastIn,
        messagesOut: deliveries - lastOut,
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        lagMaxMs: Math.max(0, maxNs / 1e6 - LAG_RESOLUTION_MS),
      },
    };
    last = now;
    lastIn = messagesIn;
    lastOut = deliveries;
    lag.reset();
    try {
      sink(delta);
    } catch (err) {
      gateway.logger.warn({ err }, 'statistics delta could not be sent');
    }
    sampleRooms();
  };

  sampleRooms();
  const timer = setInterval(ship, opts.shipIntervalMs ?? 1000);
  timer.unref();
  const removeDrain = localStats.addDrain(ship);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    removeDrain();
    ship();
    lag.disable();
    gateway.observe(undefined);
    if (observeCalls && installedCallObserver === collector.call) {
      setDefaultCallObserver(undefined);
      installedCallObserver = undefined;
    }
  };
  gateway.atShutdown(stop);
  return stop;
}
