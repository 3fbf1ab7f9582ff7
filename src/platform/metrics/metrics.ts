/**
 * Prometheus metrics of a gateway (`GET /metrics`, text format, through prom-client). The core knows nothing of
 * prom-client: this module observes a gateway through its seams (the observer, its events, its store and broker)
 * and counts. In a cluster worker a scrape asks the primary, which collects every worker's figures and answers with
 * the machine's totals (series without a `worker` label) and each worker's own (with `worker="N"`).
 *
 * @example
 *   const gateway = await createChatApp(config);
 *   enableMetrics(gateway);
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { askPrimary, isClusterWorker, workerId } from '../../cluster/worker.js';
import { checkPrivileged } from '../../gateway/access.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { GatewayObserver } from '../../gateway/observer.js';
import type { RoomStore } from '../../store/room-store.js';
import { getDefaultCallObserver, setDefaultCallObserver } from '../../tars/rpc/object-proxy.js';
import { NOT_FOUND } from '../stats/stat-collector.js';

/** The control kind a worker answers with its metrics, and the ask kind a worker scrapes the machine with. */
export const METRICS_KIND = 'tars-ws.metrics';
/** Route label of every 404, so that probes of random paths do not create series. */
const NOT_FOUND_ROUTE = NOT_FOUND;
/** Route label of requests refused before routing (malformed or too long URL): their path is any text. */
const BAD_REQUEST_ROUTE = '(bad request)';

function routeLabel(route: string, status: number): string {
  if (status === 404) return NOT_FOUND_ROUTE;
  return status === 400 || status === 414 ? BAD_REQUEST_ROUTE : route;
}
const STORE_OPS = ['add', 'remove', 'members', 'roomsOf', 'removeConnection', 'count', 'rooms'] as const;

export interface MetricsOptions {
  /** Bearer token of `/metrics`; empty: same-machine callers only. Default: `config.metricsToken`. */
  token?: string;
  /** Serve `GET /metrics` on the gateway. Default true. */
  route?: boolean;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  /** This process's metrics in Prometheus text format. */
  text(): Promise<string>;
  /** The whole machine's (in a cluster worker: asks the primary), in Prometheus text format. */
  scrape(): Promise<string>;
}

/** One metric of `Registry.getMetricsAsJSON()`, as it crosses IPC. */
interface MetricJson {
  values: { labels: Record<string, unknown> }[];
}

function seconds(ms: number): number {
  return ms / 1000;
}

/** The metrics of each gateway they were enabled on (enabling twice returns the first). */
const enabled = new WeakMap<Gateway, GatewayMetrics>();

/**
 * Starts counting a gateway's traffic into a registry of its own and serves `/metrics` on it. Call it after
 * anything else that sets the gateway's observer (`attachWorkerStats`): it composes with the observer it finds.
 * Enabling it twice on one gateway returns the first one.
 */
export function enableMetrics(gateway: Gateway, opts: MetricsOptions = {}): GatewayMetrics {
  const existing = enabled.get(gateway);
  if (existing) return existing;
  const registry = new Registry();
  if (isClusterWorker()) registry.setDefaultLabels({ worker: String(workerId()) });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const connections = new Gauge({
    name: 'tars_ws_connections',
    help: 'Open WebSocket connections',
    labelNames: ['protocol'],
    registers,
  });
  const opened = new Counter({
    name: 'tars_ws_connections_opened_total',
    help: 'WebSocket connections accepted',
    registers,
  });
  const disconnects = new Counter({
    name: 'tars_ws_disconnects_total',
    help: 'WebSocket connections closed, by close code',
    labelNames: ['code'],
    registers,
  });
  const received = new Counter({
    name: 'tars_ws_messages_received_total',
    help: 'Commands handled (registered commands only)',
    labelNames: ['protocol', 'command'],
    registers,
  });
  const deliveries = new Counter({
    name: 'tars_ws_deliveries_total',
    help: 'Pushes written to receivers',
    labelNames: ['protocol'],
    registers,
  });
  const bytesSent = new Counter({
    name: 'tars_ws_bytes_sent_total',
    help: 'Frame bytes of pushes written to receivers',
    registers,
  });
  const slow = new Counter({
    name: 'tars_ws_slow_consumer_closes_total',
    help: 'Connections closed with 4008 for not reading',
    registers,
  });
  const publishFailures = new Counter({
    name: 'tars_ws_broker_publish_failures_total',
    help: 'Broker publishes that failed',
    labelNames: ['broker'],
    registers,
  });
  const storeOps = new Histogram({
    name: 'tars_ws_store_operation_duration_seconds',
    help: 'Room store operations',
    labelNames: ['store', 'op'],
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers,
  });
  const httpRequests = new Counter({
    name: 'tars_ws_http_requests_total',
    help: 'HTTP requests answered (every 404 under one route label)',
    labelNames: ['route', 'status'],
    registers,
  });
  const httpDuration = new Histogram({
    name: 'tars_ws_http_request_duration_seconds',
    help: 'Time to answer HTTP requests',
    labelNames: ['route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers,
  });
  const tarsCalls = new Counter({
    name: 'tars_ws_tars_calls_total',
    help: 'Tars calls made by this process, by result (ok or the Tars return code)',
    labelNames: ['servant', 'method', 'result'],
    registers,
  });
  // The room count lives in the store (maybe Redis): read at scrape time, by worker 0 or a single process only.
  const countRooms = !isClusterWorker() || workerId() === 0;
  new Gauge({
    name: 'tars_ws_rooms',
    help: 'Rooms with members (whole deployment, as the store sees it)',
    registers,
    async collect() {
      if (!countRooms) return;
      try {
        this.set((await gateway.store.rooms()).length);
      } catch {
        // The store is down: /readyz says so; the gauge keeps its last value.
      }
    },
  });

  const previous = gateway.observer;
  const observer: GatewayObserver = {
    message(cmd, ok, elapsedMs, protocol) {
      previous?.message?.(cmd, ok, elapsedMs, protocol);
      received.inc({ protocol, command: cmd });
    },
    http(route, status, elapsedMs) {
      previous?.http?.(route, status, elapsedMs);
      const labels = { route: routeLabel(route, status), status };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds(elapsedMs));
    },
    delivered(protocol, count, bytes) {
      previous?.delivered?.(protocol, count, bytes);
      deliveries.inc({ protocol }, count);
      bytesSent.inc(bytes);
    },
  };
  gateway.observe(observer);
  gateway.on('open', (conn) => {
    opened.inc();
    connections.inc({ protocol: conn.protocol.name });
  });
  gateway.on('close', (conn, code) => {
    connections.dec({ protocol: conn.protocol.name });
    disconnects.inc({ code });
  });
  gateway.on('slowConsumer', () => slow.inc());

  const previousCalls = getDefaultCallObserver();
  setDefaultCallObserver((servant, func, host, port, ret, elapsedMs, ...rest) => {
    previousCalls?.(servant, func, host, port, ret, elapsedMs, ...rest);
    tarsCalls.inc({ servant, method: func, result: ret === 0 ? 'ok' : String(ret) });
  });

  timeStore(gateway.store, gateway.config.roomStore, storeOps);
  const broker = gateway.broker;
  const publish = broker.publish.bind(broker);
  broker.publish = (msg) =>
    publish(msg).catch((err: unknown) => {
      publishFailures.inc({ broker: gateway.config.broker });
      throw err;
    });

  const metrics: GatewayMetrics = {
    registry,
    text: () => registry.metrics(),
    scrape: async () => {
      if (!isClusterWorker()) return registry.metrics();
      const answer = await askPrimary(METRICS_KIND, undefined);
      if (typeof answer !== 'string') throw new Error('the primary answered metrics with no text');
      return answer;
    },
  };
  enabled.set(gateway, metrics);
  if (opts.route ?? true) {
    const token = opts.token ?? gateway.config.metricsToken;
    gateway.route('/metrics', async ({ req, res }) => {
      checkPrivileged(req, token, 'metrics', 'METRICS_TOKEN');
      const body = await metrics.scrape();
      res.setHeader('content-type', registry.contentType);
      res.end(body);
      return undefined;
    });
  }
  return metrics;
}

/** Times every operation of a store (in place: the gateway and its hub hold this object). */
function timeStore(store: RoomStore, name: string, histogram: Histogram<'store' | 'op'>): void {
  const target = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const op of STORE_OPS) {
    const original = target[op];
    if (typeof original !== 'function') continue;
    const timed = histogram.labels({ store: name, op });
    target[op] = (...args: unknown[]): Promise<unknown> => {
      const end = timed.startTimer();
      return original.apply(store, args).finally(end);
    };
  }
}

/**
 * The primary's side: answers workers' scrapes with every worker's metrics, summed (no `worker` label) and each
 * worker's own (its `worker` label).
 */
export function serveClusterMetrics(supervisor: {
  control(kind: string, payload: unknown, timeoutMs?: number): Promise<{ ok: boolean; value: unknown }[]>;
  answer(kind: string, handler: (workerId: number, payload: unknown) => unknown): unknown;
}): void {
  supervisor.answer(METRICS_KIND, async () => {
    const replies = await supervisor.control(METRICS_KIND, undefined);
    const perWorker: MetricJson[][] = [];
    const totals: MetricJson[][] = [];
    for (const r of replies) {
      if (!r.ok || !Array.isArray(r.value)) continue;
      const labelled = r.value as MetricJson[];
      perWorker.push(labelled);
      totals.push(labelled.map((m) => ({ ...m, values: m.values.map(withoutWorker) })));
    }
    return AggregatorRegistry.aggregate([...totals, ...perWorker]).metrics();
  });
}

function withoutWorker<T extends { labels: Record<string, unknown> }>(v: T): T {
  const { worker: _worker, ...labels } = v.labels;
  return { ...v, labels };
}

/** A worker's control handler: its own metrics as JSON for the primary to aggregate. */
export function metricsControl(metrics: GatewayMetrics): [string, () => Promise<unknown>] {
  return [METRICS_KIND, () => metrics.registry.getMetricsAsJSON()];
}
