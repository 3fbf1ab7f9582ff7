/**
 * Turns stored figures into the Tars report messages: `StatMicMsgHead/Body` for StatObj and
 * `StatPropMsgHead/Body` for PropertyObj. Pure functions of the records and the server's names.
 *
 * Names (see docs/operations.md, "Statistics and properties"):
 * - WebSocket commands and HTTP routes are calls into this server from callers that do not report for
 *   themselves, so they go with bFromClient=false, masterName `not_tars_client` (what the Tars Node server
 *   reports for calls on a non-Tars adapter), slaveName = this server's module name (`App.Server`),
 *   interfaceName = the command or the route, slaveIp/slavePort = this server's address. masterIp stays empty:
 *   one key per browser address would multiply the keys by the number of clients.
 * - Tars calls this server makes go with bFromClient=true, masterName = `client.modulename`, slaveName = the
 *   callee's `App.Server`, interfaceName = the function, slaveIp/slavePort = the endpoint called.
 */
import type { TarsServerConfig } from '../tars/tars-conf.js';
import type { StatMicMsgBody, StatMicMsgHead } from '../tars/generated/StatF.js';
import type { StatPropMsgBody, StatPropMsgHead } from '../tars/generated/PropertyF.js';
import { parseCallName, type StatKind } from './stat-collector.js';
import { bucketField, LATENCY_BUCKETS, type StatRecord } from '../../stats/stat-counter.js';
import { formatProperty, type PropertyDef } from './properties.js';

/** The parts of a Tars config the reports need (a whole `TarsServerConfig` fits). */
export type StatNamesConfig = Pick<
  TarsServerConfig,
  'app' | 'server' | 'localIp' | 'moduleName' | 'enableSet' | 'setDivision'
>;

/** masterName of server-side traffic (callers that are not Tars clients). */
export const NOT_TARS_CLIENT = 'not_tars_client';

/** The store key of a traffic entry and of a property. */
export const statKey = (kind: StatKind, ret: number, name: string): string => `${kind}\t${ret}\t${name}`;
export const propKey = (name: string): string => `prop\t${name}`;

export type ParsedKey =
  { type: 'stat'; kind: StatKind; ret: number; name: string } | { type: 'prop'; name: string } | undefined;

export function parseKey(key: string): ParsedKey {
  const a = key.indexOf('\t');
  if (a < 0) return undefined;
  const type = key.slice(0, a);
  if (type === 'prop') return { type: 'prop', name: key.slice(a + 1) };
  if (type !== 'ws' && type !== 'http' && type !== 'tars') return undefined;
  const b = key.indexOf('\t', a + 1);
  if (b < 0) return undefined;
  const ret = Number(key.slice(a + 1, b));
  if (!Number.isInteger(ret)) return undefined;
  return { type: 'stat', kind: type, ret, name: key.slice(b + 1) };
}

interface SetParts {
  suffix: string;
  name: string;
  area: string;
  id: string;
}

function setParts(c: StatNamesConfig): SetParts | undefined {
  if (!c.enableSet || c.setDivision === '') return undefined;
  const [name = '', area = '', id = ''] = c.setDivision.split('.');
  return { suffix: `.${name}${area}${id}`, name, area, id };
}

/** The head of a traffic entry; `slavePort` is this server's (WebSocket) port for server-side entries. */
export function statHead(
  c: StatNamesConfig,
  kind: StatKind,
  ret: number,
  name: string,
  slavePort: number,
): StatMicMsgHead {
  const set = setParts(c);
  if (kind === 'tars') {
    const call = parseCallName(name);
    return {
      masterName: c.moduleName + (set?.suffix ?? ''),
      slaveName: call.servant.split('.').slice(0, 2).join('.'),
      interfaceName: call.func,
      masterIp: c.localIp,
      slaveIp: call.host,
      slavePort: call.port,
      returnValue: ret,
      slaveSetName: '',
      slaveSetArea: '',
      slaveSetID: '',
      tarsVersion: '',
    };
  }
  return {
    masterName: NOT_TARS_CLIENT,
    slaveName: c.moduleName + (set?.suffix ?? ''),
    interfaceName: name,
    masterIp: '',
    slaveIp: c.localIp,
    slavePort,
    returnValue: ret,
    slaveSetName: set?.name ?? '',
    slaveSetArea: set?.area ?? '',
    slaveSetID: set?.id ?? '',
    tarsVersion: '',
  };
}

/** The body of an accumulated record. Times are whole milliseconds; minRspTime is 0 when nothing succeeded. */
export function statBody(r: Readonly<StatRecord>): StatMicMsgBody {
  const intervalCount = new Map<number, number>();
  for (const b of LATENCY_BUCKETS) intervalCount.set(b, r[bucketField(b)] ?? 0);
  return {
    count: r.count ?? 0,
    timeoutCount: r.timeoutCount ?? 0,
    execCount: r.execCount ?? 0,
    intervalCount,
    totalRspTime: BigInt(Math.round(r.totalRspTime ?? 0)),
    maxRspTime: Math.round(r.maxRspTime ?? 0),
    minRspTime: Math.round(r.minRspTime ?? 0),
  };
}

export function propHead(c: StatNamesConfig, propertyName: string): StatPropMsgHead {
  const set = setParts(c);
  return {
    moduleName: c.moduleName + (set?.suffix ?? ''),
    ip: c.localIp,
    propertyName,
    setName: set?.name ?? '',
    setArea: set?.area ?? '',
    setID: set?.id ?? '',
    sContainer: '',
    iPropertyVer: 2,
  };
}

export function propBody(def: PropertyDef, acc: Readonly<StatRecord>): StatPropMsgBody {
  return { vInfo: formatProperty(def, acc) };
}
