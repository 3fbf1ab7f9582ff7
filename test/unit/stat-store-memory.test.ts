import { MemoryStatStore } from '../../src/stats/stat-store-memory.js';
import { statStoreConformance } from '../support/stat-store-conformance.js';

statStoreConformance('memory', () =>
  Promise.resolve({ store: new MemoryStatStore(), cleanup: async () => {} }),
);
