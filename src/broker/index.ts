/** The broker seam: the interface, the one-process default, and the shared base of bus brokers (Redis, NATS). */
export type { Broker, BrokerHandler, BrokerMessage } from './broker.js';
export { LocalBroker } from './broker-local.js';
export { BusBroker, type BusBrokerStats, type BusTarget, type BrokerLogger } from './broker-bus.js';
