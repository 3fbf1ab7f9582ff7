/**
 * From the Tars config to the gateway's options: the WebSocket/HTTP listener is the not-tars adapter (the one the
 * service descriptor names, else the first), its threads are the worker count, and `server.logLevel` the log level.
 */
import { ConfigError } from '../../errors.js';
import type { GatewayConfig, LogLevel } from '../../config/options.js';
import type { TarsAdapterConfig, TarsLogLevel, TarsServerConfig } from './tars-conf.js';
import { checkServiceDescriptor, type ServiceDescriptor } from './service-descriptor.js';

const PINO_LEVEL: Readonly<Record<TarsLogLevel, LogLevel>> = {
  NONE: 'silent',
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  TARS: 'trace',
};

/** The pino level of a Tars log level (TARS, the framework's own chatter, is trace). */
export function pinoLevelOf(level: TarsLogLevel): LogLevel {
  return PINO_LEVEL[level];
}

/**
 * The adapter the gateway listens on: the descriptor's servant when a descriptor is given (checked), else the
 * first not-tars adapter.
 * @throws ConfigError when there is none.
 */
export function webAdapterOf(tars: TarsServerConfig, descriptor?: ServiceDescriptor): TarsAdapterConfig {
  if (descriptor) return checkServiceDescriptor(descriptor, tars);
  const adapter = tars.adapters.find((a) => a.protocol === 'not_tars');
  if (!adapter) {
    throw new ConfigError(
      'tars.application.server',
      `${tars.file} has no adapter with protocol=not_tars for WebSocket/HTTP (adapters: ${tars.adapters.map((a) => a.servant).join(', ') || 'none'})`,
    );
  }
  return adapter;
}

/** The tars-protocol adapter of PushObj (servant `*.PushObj`), if the server has one. */
export function pushAdapterOf(tars: TarsServerConfig): TarsAdapterConfig | undefined {
  return tars.adapters.find((a) => a.protocol === 'tars' && a.servant.endsWith('.PushObj'));
}

/** The gateway options a Tars config decides: host, port, workers, logLevel and shutdownGraceMs. */
export function gatewayOptionsFromTars(
  tars: TarsServerConfig,
  descriptor?: ServiceDescriptor,
): Pick<GatewayConfig, 'host' | 'port' | 'workers' | 'logLevel' | 'shutdownGraceMs'> {
  const web = webAdapterOf(tars, descriptor);
  if (web.endpoint.protocol !== 'tcp') {
    throw new ConfigError(
      `tars.application.server.${web.name}.endpoint`,
      `WebSocket/HTTP needs a tcp endpoint, got ${web.endpoint.protocol}`,
    );
  }
  return {
    host: web.endpoint.host,
    port: web.endpoint.port,
    workers: web.threads,
    logLevel: pinoLevelOf(tars.logLevel),
    // Clients get most of the deactivating timeout to close; tarsnode kills the server when it runs out.
    shutdownGraceMs: Math.max(0, Math.min(5000, tars.deactivatingTimeoutMs - 1000)),
  };
}
