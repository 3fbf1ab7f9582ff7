/**
 * Fake StatObj and PropertyObj written with our TarsServer and the generated servant bases: they record every
 * report and let a test await the ones it expects.
 */
import pino from 'pino';
import {
  PropertyFServant,
  type StatPropMsgBody,
  type StatPropMsgHead,
} from '../../src/platform/tars/generated/PropertyF.js';
import {
  StatFServant,
  type StatMicMsgBody,
  type StatMicMsgHead,
  type StatSampleMsg,
} from '../../src/platform/tars/generated/StatF.js';
import { TarsRpcError, TarsServer } from '../../src/tars/index.js';
import { within } from './deadline.js';

export interface MicReport {
  fromClient: boolean;
  msg: Map<StatMicMsgHead, StatMicMsgBody>;
}

type Waiter<T> = { pred: (all: T[]) => boolean; resolve: () => void };

class Recorder<T> {
  readonly all: T[] = [];
  #waiters: Waiter<T>[] = [];
  push(v: T): void {
    this.all.push(v);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.pred(this.all)) return true;
      w.resolve();
      return false;
    });
  }
  /** Resolves once the reports received so far satisfy `pred`; fails after `withinMs` naming `what`. */
  until(pred: (all: T[]) => boolean, what = 'the awaited reports', withinMs = 10_000): Promise<void> {
    if (pred(this.all)) return Promise.resolve();
    const waited = new Promise<void>((resolve) => this.#waiters.push({ pred, resolve }));
    return within(waited, withinMs, () => `${what} (${this.all.length} reports received)`);
  }
}

class FakeStat extends StatFServant {
  readonly reports = new Recorder<MicReport>();
  /** Calls to refuse (the client sees a servant error) before accepting again. */
  refuse = 0;
  reportMicMsg(msg: Map<StatMicMsgHead, StatMicMsgBody>, bFromClient: boolean): number {
    if (this.refuse > 0) {
      this.refuse--;
      throw new TarsRpcError(-1, 'refused by the test');
    }
    this.reports.push({ fromClient: bFromClient, msg });
    return 0;
  }
  reportSampleMsg(_msg: StatSampleMsg[]): number {
    return 0;
  }
}

class FakeProperty extends PropertyFServant {
  readonly reports = new Recorder<Map<StatPropMsgHead, StatPropMsgBody>>();
  reportPropMsg(msg: Map<StatPropMsgHead, StatPropMsgBody>): number {
    this.reports.push(msg);
    return 0;
  }
}

export interface FakeStatServices {
  stat: FakeStat;
  property: FakeProperty;
  /** `tars.tarsstat.StatObj@tcp -h 127.0.0.1 -p N` */
  statObj: string;
  propertyObj: string;
  close(): Promise<void>;
}

export async function startFakeStatServices(): Promise<FakeStatServices> {
  const server = new TarsServer({ host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
  const stat = new FakeStat();
  const property = new FakeProperty();
  server.addServant('tars.tarsstat.StatObj', stat, StatFServant.operations);
  server.addServant('tars.tarsproperty.PropertyObj', property, PropertyFServant.operations);
  const { port } = await server.listen();
  return {
    stat,
    property,
    statObj: `tars.tarsstat.StatObj@tcp -h 127.0.0.1 -p ${port}`,
    propertyObj: `tars.tarsproperty.PropertyObj@tcp -h 127.0.0.1 -p ${port}`,
    close: () => server.close(1000),
  };
}

/** Sums the bodies of every report (of one side) per `interfaceName|returnValue`. */
export function totals(
  reports: readonly MicReport[],
  fromClient: boolean,
): Map<
  string,
  { count: number; execCount: number; timeoutCount: number; head: StatMicMsgHead; body: StatMicMsgBody }
> {
  const out = new Map<
    string,
    { count: number; execCount: number; timeoutCount: number; head: StatMicMsgHead; body: StatMicMsgBody }
  >();
  for (const r of reports) {
    if (r.fromClient !== fromClient) continue;
    for (const [head, body] of r.msg) {
      const key = `${head.interfaceName}|${head.returnValue}`;
      const t = out.get(key) ?? { count: 0, execCount: 0, timeoutCount: 0, head, body };
      t.count += body.count;
      t.execCount += body.execCount;
      t.timeoutCount += body.timeoutCount;
      out.set(key, t);
    }
  }
  return out;
}
