/** The NATS backend (`tars-ws/nats`): a bus broker over NATS core pub/sub, the process index claimed in JetStream KV. */
export { NatsBroker, type NatsBrokerOptions } from './broker-nats.js';
export { checkSubjectPrefix, parseNatsUrls, natsUrlOptions, type NatsLogger } from './nats-client.js';
