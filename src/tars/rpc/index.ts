/** The Tars RPC runtime: client (ObjectProxy, Communicator), server (TarsServer), addresses and typed errors. */
export {
  ObjectProxy,
  setDefaultCallObserver,
  type CallObserver,
  type ObjectProxyOptions,
  type EndpointSource,
} from './object-proxy.js';
export { Communicator, type CommunicatorOptions } from './communicator.js';
export { TarsServer, type TarsServerOptions } from './tars-server.js';
export { TarsRpcError, TarsRet } from './errors.js';
export {
  EndpointParseError,
  formatEndpoint,
  parseEndpoint,
  parseEndpoints,
  parseObjectAddress,
  type Endpoint,
  type ObjectAddress,
} from './endpoint.js';
export {
  RegistryResolver,
  findObjectById,
  type EndpointF,
  type RegistryResolverOptions,
} from './registry-resolver.js';
