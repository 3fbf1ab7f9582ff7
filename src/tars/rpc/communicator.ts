/**
 * The client entry point: shares one configuration (timeouts, logger, the registry `locator`) among the proxies
 * it creates, caches one {@link ObjectProxy} per address, and closes them all at once.
 */
import type { Invoker } from '../contract.js';
import { ObjectProxy, type ObjectProxyOptions } from './object-proxy.js';
import { RegistryResolver } from './registry-resolver.js';

/** Options of a {@link Communicator}; proxy options apply to every proxy it creates. */
export interface CommunicatorOptions extends Omit<ObjectProxyOptions, 'endpointSource'> {
  /** The registry, `tars.tarsregistry.QueryObj@tcp -h HOST -p 17890`; needed for addresses without `@`. */
  locator?: string;
  /** Registry refresh period, ms. Default 60000. */
  refreshInterval?: number;
}

/**
 * Shares options among the proxies it creates, keeps one `ObjectProxy` per address and version, and resolves
 * addresses without endpoints through the registry (`locator`).
 *
 * @example
 * const comm = new Communicator({ locator: 'tars.tarsregistry.QueryObj@tcp -h 10.0.0.1 -p 17890' });
 * const hello = comm.proxy(HelloProxy, 'TestApp.HelloServer.HelloObj');
 * await hello.hello(1, 'ann');
 * await comm.close();
 */
export class Communicator {
  readonly #options: CommunicatorOptions;
  readonly #proxies = new Map<string, ObjectProxy>();
  #resolver: RegistryResolver | undefined;

  constructor(options: CommunicatorOptions = {}) {
    this.#options = options;
  }

  /**
   * The ObjectProxy for `address` (`App.Server.Obj[@endpoints]`), created once per address and version and shared:
   * the options of the first call for an address win (connections, isolation state and timeouts belong to the
   * shared proxy). Pass a per-call `timeout` in the call's own options to differ, or use `new ObjectProxy(...)`.
   */
  stringToProxy(address: string, options: Omit<ObjectProxyOptions, 'endpointSource'> = {}): ObjectProxy {
    const merged: ObjectProxyOptions = { ...this.#options, ...options };
    const key = `${address.trim()}#${merged.version ?? 1}`;
    let proxy = this.#proxies.get(key);
    if (proxy === undefined) {
      if (!address.includes('@')) merged.endpointSource = this.#registry();
      proxy = new ObjectProxy(address, merged);
      this.#proxies.set(key, proxy);
    }
    return proxy;
  }

  /** A generated proxy class bound to `address`. */
  proxy<P>(
    Proxy: new (invoker: Invoker) => P,
    address: string,
    options?: Omit<ObjectProxyOptions, 'endpointSource'>,
  ): P {
    return new Proxy(this.stringToProxy(address, options));
  }

  /** Closes every proxy once its in-flight calls finish (at most `limitMs`). */
  async close(limitMs = 5000): Promise<void> {
    const all = [...this.#proxies.values()];
    this.#proxies.clear();
    await Promise.all(all.map((p) => p.close(limitMs)));
  }

  /** Closes every proxy now. */
  destroy(): void {
    for (const p of this.#proxies.values()) p.destroy();
    this.#proxies.clear();
  }

  #registry(): RegistryResolver {
    if (this.#resolver) return this.#resolver;
    const locator = this.#options.locator;
    if (locator === undefined || !locator.includes('@')) {
      throw new RangeError(
        'an address without @endpoints needs the "locator" option (QueryObj@tcp -h ... -p ...)',
      );
    }
    this.#resolver = new RegistryResolver(this.stringToProxy(locator), {
      refreshInterval: this.#options.refreshInterval,
      logger: this.#options.logger,
    });
    return this.#resolver;
  }
}
