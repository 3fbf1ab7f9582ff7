export type { Broker, BrokerHandler, BrokerMessage } from './broker.js';
export { LocalBroker } from './broker-local.js';
