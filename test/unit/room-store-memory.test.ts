import { MemoryRoomStore } from '../../src/store/room-store-memory.js';
import { roomStoreConformance } from '../support/room-store-conformance.js';

roomStoreConformance('memory', async () => ({ store: new MemoryRoomStore(), cleanup: async () => {} }));
