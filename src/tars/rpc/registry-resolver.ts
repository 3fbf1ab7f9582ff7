/**
 * Finds a servant's endpoints through the Tars registry: `tars.tarsregistry.QueryObj.findObjectById(id)` returns a
 * `vector<EndpointF>`. Answers are refreshed about every 60 s, and every few seconds while the answer is empty or
 * the registry fails; the last good list stays in use meanwhile.
 */
import pino, { type Logger } from 'pino';
import type { TarsReader } from '../codec/reader.js';
import type { TarsWriter } from '../codec/writer.js';
import type { Endpoint } from './endpoint.js';
import type { EndpointSource, ObjectProxy } from './object-proxy.js';

/** The registry's endpoint record (QueryF.tars / EndpointF.tars). Fields after `port` are optional on read. */
export interface EndpointF {
  host: string;
  port: number;
  timeout: number;
  /** 1 tcp, 0 udp. */
  istcp: number;
  grid: number;
  groupworkid: number;
  grouprealid: number;
  setId: string;
  qos: number;
  bakFlag: number;
  weight: number;
  weightType: number;
}

/** EndpointF with every field at its default. */
export function createEndpointF(): EndpointF {
  return {
    host: '',
    port: 0,
    timeout: 0,
    istcp: 1,
    grid: 0,
    groupworkid: 0,
    grouprealid: 0,
    setId: '',
    qos: 0,
    bakFlag: 0,
    weight: 0,
    weightType: 0,
  };
}

export function writeEndpointF(w: TarsWriter, v: EndpointF): void {
  w.writeString(0, v.host);
  w.writeInt32(1, v.port);
  w.writeInt32(2, v.timeout);
  w.writeInt32(3, v.istcp);
  w.writeInt32(4, v.grid);
  w.writeInt32(5, v.groupworkid);
  w.writeInt32(6, v.grouprealid);
  w.writeString(7, v.setId);
  w.writeInt32(8, v.qos);
  w.writeInt32(9, v.bakFlag);
  w.writeInt32(11, v.weight);
  w.writeInt32(12, v.weightType);
}

export function readEndpointF(r: TarsReader): EndpointF {
  return {
    host: r.readString(0, true, ''),
    port: r.readInt32(1, true, 0),
    timeout: r.readInt32(2, false, 0),
    istcp: r.readInt32(3, false, 1),
    grid: r.readInt32(4, false, 0),
    groupworkid: r.readInt32(5, false, 0),
    grouprealid: r.readInt32(6, false, 0),
    setId: r.readString(7, false, ''),
    qos: r.readInt32(8, false, 0),
    bakFlag: r.readInt32(9, false, 0),
    weight: r.readInt32(11, false, 0),
    weightType: r.readInt32(12, false, 0),
  };
}

/** Calls `findObjectById(id)` on a registry proxy. */
export function findObjectById(registry: ObjectProxy, id: string): Promise<EndpointF[]> {
  return registry.invoke(
    'findObjectById',
    (a) => a.write(1, 'id', id, (w, tag, v: string) => w.writeString(tag, v)),
    (r) =>
      r.read(0, '', (rd, tag, required) =>
        rd.readList(tag, required, (ri, t, req) => ri.readStruct(t, req, readEndpointF, createEndpointF)),
      ),
  );
}

/** Options of a {@link RegistryResolver}. */
export interface RegistryResolverOptions {
  /** Refresh period while the registry answers with endpoints, ms. Default 60000. */
  refreshInterval?: number;
  /** Refresh period while the answer is empty or the registry fails, ms. Default 2000. */
  retryInterval?: number;
  logger?: Logger;
}

/** An {@link EndpointSource} backed by the registry (`client.locator`). */
export class RegistryResolver implements EndpointSource {
  readonly #registry: ObjectProxy;
  readonly #refresh: number;
  readonly #retry: number;
  readonly #logger: Logger;

  constructor(registry: ObjectProxy, options: RegistryResolverOptions = {}) {
    this.#registry = registry;
    this.#refresh = options.refreshInterval ?? 60_000;
    this.#retry = options.retryInterval ?? 2000;
    this.#logger = options.logger ?? pino({ level: 'silent' });
  }

  watch(name: string, update: (endpoints: readonly Endpoint[]) => void): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async (): Promise<void> => {
      let next = this.#retry;
      try {
        const list = await findObjectById(this.#registry, name);
        const endpoints: Endpoint[] = list.map((e) => ({
          protocol: e.istcp === 0 ? 'udp' : 'tcp',
          host: e.host,
          port: e.port,
          timeout: e.timeout,
        }));
        if (stopped) return;
        if (endpoints.length > 0) {
          update(endpoints);
          next = this.#refresh;
        } else {
          this.#logger.warn({ servant: name }, 'registry has no active endpoint');
        }
      } catch (err) {
        this.#logger.warn({ servant: name, err: (err as Error).message }, 'registry lookup failed');
      }
      if (stopped) return;
      timer = setTimeout(() => void tick(), next);
      // The lookup must not keep a process alive on its own.
      timer.unref();
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }
}
