/**
 * The typed view of the config file tarsnode writes for a server (`<App>.<Server>.config.conf`): who the server is,
 * where the framework services are, and every adapter (endpoint, protocol, threads). Read once at start and
 * validated there, so a wrong file stops the start with a message naming the key.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { parseEndpoint, parseObjectAddress, type Endpoint } from '../../tars/rpc/endpoint.js';
import { parseAllowList } from './push-access.js';
import { findDomain, parseTarsConf, type ConfDomain } from './tars-conf-parser.js';

/** The Tars log levels a server can be set to (`server.logLevel`, `tars.setloglevel`). */
export type TarsLogLevel = 'NONE' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TARS';
export const TARS_LOG_LEVELS: readonly TarsLogLevel[] = ['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TARS'];

/** One `<App.Server.XxxAdapter>` domain: a listener of the server. */
export interface TarsAdapterConfig {
  /** The domain name, e.g. `Demo.WsServer.WsObjAdapter`. */
  name: string;
  /** `App.Server.Obj`. */
  servant: string;
  endpoint: Endpoint;
  /** `tars` for Tars RPC servants, `not_tars` for anything else (our WebSocket/HTTP listener). */
  protocol: 'tars' | 'not_tars';
  /** Worker count asked for on the platform form. Default 1. */
  threads: number;
  /** Most connections. Default 10240. */
  maxConns: number;
  /**
   * `allow`: caller addresses allowed, `*` standing for one dot-separated part (`10.0.*.*`); empty (the default, or
   * a bare `allow`): every address. tars-ws applies it to PushObj.
   */
  allow: string[];
}

/** Everything a tars-ws server uses from its Tars config file. Durations are in milliseconds. */
export interface TarsServerConfig {
  /** The file it was read from. */
  file: string;
  /** `server.app`, e.g. `Demo`. */
  app: string;
  /** `server.server`, e.g. `WsServer`. */
  server: string;
  /** `server.localip`; '' when absent. */
  localIp: string;
  /** `server.local`: where tarsnode calls AdminObj; undefined when absent (nothing to serve then). */
  local: Endpoint | undefined;
  /** `server.node`: tarsnode's ServerObj address for keepAlive/reportVersion; '' when absent. */
  node: string;
  /** `client.locator`: the registry's QueryObj address; '' when absent. */
  locator: string;
  /** `client.stat` (StatObj name or address); '' when absent. */
  stat: string;
  /** `client.property` (PropertyObj name or address); '' when absent. */
  property: string;
  /** `client.report-interval`. Default 60000. */
  reportIntervalMs: number;
  /** `client.asyncthread`. Default 3. */
  asyncThread: number;
  /** `client.modulename` (the name this server reports calls under). Default `<app>.<server>`. */
  moduleName: string;
  /** `client.sync-invoke-timeout`. Default 3000. */
  syncInvokeTimeoutMs: number;
  /** `client.async-invoke-timeout`. Default 5000. */
  asyncInvokeTimeoutMs: number;
  /** `application.enableset` = y. */
  enableSet: boolean;
  /** `application.setdivision` (e.g. `gz.a.1`); '' when set is disabled or NULL. */
  setDivision: string;
  /** `server.logpath`; '' when absent. */
  logPath: string;
  /** `server.datapath`; '' when absent. */
  dataPath: string;
  /** `server.basepath`; '' when absent. */
  basePath: string;
  /** `server.logLevel`. Default INFO. */
  logLevel: TarsLogLevel;
  /** `server.deactivating-timeout`: how long a shutdown may take before tarsnode kills. Default 3000. */
  deactivatingTimeoutMs: number;
  /** Every adapter of `<server>`, in file order. */
  adapters: TarsAdapterConfig[];
}

/**
 * Reads and validates a Tars server config file.
 * @throws ConfigError naming the key (or the file and line for a syntax error).
 * @example
 *   const tars = readTarsServerConfig('/usr/local/app/tars/tarsnode/data/Demo.WsServer/conf/Demo.WsServer.config.conf');
 *   tars.adapters.find((a) => a.protocol === 'not_tars')?.endpoint.port;
 */
export function readTarsServerConfig(file: string): TarsServerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('config', `cannot read Tars config ${file}: ${(err as Error).message}`);
  }
  return parseTarsServerConfig(text, file);
}

/** {@link readTarsServerConfig} on a text already in memory; `file` names it in errors. */
export function parseTarsServerConfig(text: string, file = 'config'): TarsServerConfig {
  let root: ConfDomain;
  try {
    root = parseTarsConf(text, file);
  } catch (err) {
    throw new ConfigError('config', (err as Error).message);
  }
  const application = findDomain(root, ['tars', 'application']);
  const server = application && findDomain(application, ['server']);
  if (!application || !server) {
    throw new ConfigError('tars.application.server', `${file} has no <tars><application><server> domain`);
  }
  const client = findDomain(application, ['client']);
  const r = new DomainReader(file, 'tars.application', application);
  const s = new DomainReader(file, 'tars.application.server', server);
  const c = new DomainReader(file, 'tars.application.client', client);

  const app = s.required('app');
  const serverName = s.required('server');
  const setDivision = r.string('setdivision', '');
  const logLevel = s.string('logLevel', s.string('loglevel', 'INFO')).toUpperCase();
  if (!(TARS_LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      s.path('logLevel'),
      `got "${logLevel}"; accepted values: ${TARS_LOG_LEVELS.join(', ')}`,
    );
  }
  const config: TarsServerConfig = {
    file,
    app,
    server: serverName,
    localIp: s.string('localip', ''),
    local: s.endpoint('local'),
    node: s.address('node'),
    locator: c.address('locator'),
    stat: c.address('stat'),
    property: c.address('property'),
    reportIntervalMs: c.int('report-interval', 60_000, 1000, 86_400_000),
    asyncThread: c.int('asyncthread', 3, 1, 1024),
    moduleName: c.string('modulename', `${app}.${serverName}`),
    syncInvokeTimeoutMs: c.int('sync-invoke-timeout', 3000, 1, 3_600_000),
    asyncInvokeTimeoutMs: c.int('async-invoke-timeout', 5000, 1, 3_600_000),
    enableSet: r.string('enableset', 'n').toLowerCase() === 'y',
    setDivision: setDivision === 'NULL' ? '' : setDivision,
    logPath: s.string('logpath', ''),
    dataPath: s.string('datapath', ''),
    basePath: s.string('basepath', ''),
    logLevel: logLevel as TarsLogLevel,
    deactivatingTimeoutMs: s.int('deactivating-timeout', 3000, 0, 3_600_000),
    adapters: server.children.map((d) => readAdapter(file, d)),
  };
  return config;
}

function readAdapter(file: string, d: ConfDomain): TarsAdapterConfig {
  const a = new DomainReader(file, `tars.application.server.${d.name}`, d);
  const protocol = a.string('protocol', 'tars').toLowerCase().replace(/[\s-]/g, '_');
  if (protocol !== 'tars' && protocol !== 'not_tars') {
    throw new ConfigError(a.path('protocol'), `got "${protocol}"; accepted values: tars, not_tars`);
  }
  const endpoint = a.endpoint('endpoint');
  if (!endpoint)
    throw new ConfigError(a.path('endpoint'), 'missing; e.g. endpoint=tcp -h 10.0.0.5 -p 8080 -t 60000');
  return {
    name: d.name,
    servant: a.required('servant'),
    endpoint,
    protocol,
    threads: a.int('threads', 1, 1, 256),
    maxConns: a.int('maxconns', 10240, 1, 10_000_000),
    allow: parseAllowList(a.string('allow', '')),
  };
}

/** Typed access to one domain's parameters; errors name the full key path and the file. */
class DomainReader {
  readonly #file: string;
  readonly #prefix: string;
  readonly #params: ReadonlyMap<string, string>;

  constructor(file: string, prefix: string, domain: ConfDomain | undefined) {
    this.#file = file;
    this.#prefix = prefix;
    this.#params = domain?.params ?? new Map();
  }

  path(key: string): string {
    return `${this.#prefix}.${key}`;
  }

  string(key: string, fallback: string): string {
    const v = this.#params.get(key);
    return v === undefined || v === '' ? fallback : v;
  }

  required(key: string): string {
    const v = this.#params.get(key);
    if (v === undefined || v === '') throw new ConfigError(this.path(key), `missing in ${this.#file}`);
    return v;
  }

  int(key: string, fallback: number, min: number, max: number): number {
    const v = this.#params.get(key);
    if (v === undefined || v === '') return fallback;
    const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ConfigError(this.path(key), `got "${v}"; expected an integer from ${min} to ${max}`);
    }
    return n;
  }

  endpoint(key: string): Endpoint | undefined {
    const v = this.#params.get(key);
    if (v === undefined || v === '') return undefined;
    try {
      return parseEndpoint(v);
    } catch (err) {
      throw new ConfigError(this.path(key), (err as Error).message);
    }
  }

  /** An object address (`App.Server.Obj` or `App.Server.Obj@endpoints`), checked but kept as written. */
  address(key: string): string {
    const v = this.string(key, '');
    if (v === '') return v;
    try {
      parseObjectAddress(v);
    } catch (err) {
      throw new ConfigError(this.path(key), (err as Error).message);
    }
    return v;
  }
}
