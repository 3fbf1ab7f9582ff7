/** Brokers: fan-out between gateway processes. */
export type { Broker, BrokerHandler, BrokerMessage } from './broker.js';
export { LocalBroker } from './broker-local.js';
export { ClusterBroker } from './broker-cluster.js';
export { BusBroker, type BusBrokerStats } from './broker-bus.js';
export { RedisBroker, type RedisBrokerOptions } from './broker-redis.js';
export { NatsBroker, type NatsBrokerOptions } from './broker-nats.js';
