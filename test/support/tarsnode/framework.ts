/**
 * The framework services a Tars server talks to, hosted by the official @tars/rpc 2.0.15 server so that an
 * independent Tars implementation decodes our calls: the registry (QueryF), tarsnode's ServerObj (ServerF), StatObj
 * (StatF) and PropertyObj (PropertyF). Every call is recorded as plain data; nothing untyped leaves this module.
 */
import { createRequire } from 'node:module';
import {
  startOfficialRegistry,
  startOfficialServer,
  type OfficialServer,
} from '../tars-official/official-rpc.js';

const require = createRequire(import.meta.url);

/** `tars.ServerInfo` as keepAlive carries it. */
export interface ServerInfoCall {
  application: string;
  serverName: string;
  pid: number;
  adapter: string;
}
export interface ReportVersionCall {
  app: string;
  serverName: string;
  version: string;
}
/** One entry of a reportMicMsg map. */
export interface StatMicEntry {
  head: {
    masterName: string;
    slaveName: string;
    interfaceName: string;
    masterIp: string;
    slaveIp: string;
    slavePort: number;
    returnValue: number;
    slaveSetName: string;
    slaveSetArea: string;
    slaveSetID: string;
    tarsVersion: string;
  };
  body: {
    count: number;
    timeoutCount: number;
    execCount: number;
    intervalCount: Record<string, number>;
    totalRspTime: number;
    maxRspTime: number;
    minRspTime: number;
  };
}
export interface ReportMicMsgCall {
  fromClient: boolean;
  entries: StatMicEntry[];
}
/** One entry of a reportPropMsg map. */
export interface StatPropEntry {
  head: { moduleName: string; ip: string; propertyName: string; iPropertyVer: number };
  body: { vInfo: { policy: string; value: string }[] };
}
export interface ReportPropMsgCall {
  entries: StatPropEntry[];
}

/** Every call the framework received, in arrival order. */
export interface FrameworkCalls {
  keepAlive: ServerInfoCall[];
  reportVersion: ReportVersionCall[];
  reportMicMsg: ReportMicMsgCall[];
  reportPropMsg: ReportPropMsgCall[];
  /** Ids the registry was asked for (findObjectById). */
  registryAsked: string[];
}

/** The running framework. Addresses are `tcp -h 127.0.0.1 -p PORT -t 60000`. */
export interface Framework {
  /** `tars.tarsregistry.QueryObj@<endpoint>`, the `client.locator` value. */
  readonly locator: string;
  /** `tars.tarsnode.ServerObj@<endpoint>`, the `server.node` value. */
  readonly node: string;
  /** Servant names to put in `client.stat` / `client.property`; the registry resolves them. */
  readonly statObj: string;
  readonly propertyObj: string;
  readonly calls: FrameworkCalls;
  stop(): Promise<void>;
}

type Record2 = (kind: string, data: unknown) => void;
interface ImpModule {
  createServerFImp(record: Record2): unknown;
  createStatFImp(record: Record2): unknown;
  createPropertyFImp(record: Record2): unknown;
}

// @tars/rpc must be loaded before the generated files, which require it back (a circular require otherwise):
// official-rpc.js, imported above, has loaded it.
const Imp = require('./generated/FrameworkImp.cjs') as ImpModule;

export const STAT_OBJ = 'tars.tarsstat.StatObj';
export const PROPERTY_OBJ = 'tars.tarsproperty.PropertyObj';
const NODE_OBJ = 'tars.tarsnode.ServerObj';
const REGISTRY_OBJ = 'tars.tarsregistry.QueryObj';

/** Starts the four services; the registry resolves StatObj and PropertyObj to theirs. */
export async function startFramework(): Promise<Framework> {
  const calls: FrameworkCalls = {
    keepAlive: [],
    reportVersion: [],
    reportMicMsg: [],
    reportPropMsg: [],
    registryAsked: [],
  };
  const record: Record2 = (kind, data) => {
    if (kind === 'keepAlive') calls.keepAlive.push(data as ServerInfoCall);
    else if (kind === 'reportVersion') calls.reportVersion.push(data as ReportVersionCall);
    else if (kind === 'reportMicMsg') calls.reportMicMsg.push(data as ReportMicMsgCall);
    else if (kind === 'reportPropMsg') calls.reportPropMsg.push(data as ReportPropMsgCall);
  };
  const started: OfficialServer[] = [];
  try {
    const node = await startOfficialServer(NODE_OBJ, Imp.createServerFImp(record));
    started.push(node);
    const stat = await startOfficialServer(STAT_OBJ, Imp.createStatFImp(record));
    started.push(stat);
    const property = await startOfficialServer(PROPERTY_OBJ, Imp.createPropertyFImp(record));
    started.push(property);
    const at = (s: OfficialServer): { host: string; port: number }[] => [{ host: '127.0.0.1', port: s.port }];
    const registry = await startOfficialRegistry(
      REGISTRY_OBJ,
      { [STAT_OBJ]: at(stat), [PROPERTY_OBJ]: at(property), [NODE_OBJ]: at(node) },
      calls.registryAsked,
    );
    started.push(registry);
    return {
      locator: `${REGISTRY_OBJ}@${registry.endpoint}`,
      node: `${NODE_OBJ}@${node.endpoint}`,
      statObj: STAT_OBJ,
      propertyObj: PROPERTY_OBJ,
      calls,
      stop: async () => {
        await Promise.all(started.map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
}
