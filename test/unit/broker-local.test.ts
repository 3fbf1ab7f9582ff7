import { LocalBroker } from '../../src/broker/broker-local.js';
import { brokerConformance } from '../support/broker-conformance.js';

brokerConformance('local', async () => ({ open: async () => new LocalBroker(), cleanup: async () => {} }), {
  processes: 1,
});
