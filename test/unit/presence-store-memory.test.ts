import { MemoryPresenceStore } from '../../src/presence/presence-store-memory.js';
import { presenceStoreConformance } from '../support/presence-store-conformance.js';

presenceStoreConformance('memory', async () => ({
  store: new MemoryPresenceStore(),
  cleanup: async () => {},
}));
