/**
 * Chooses the room store and broker named by the configuration. The one place that knows every backend, so the
 * gateway itself only sees the RoomStore and Broker interfaces.
 */
import { LocalBroker } from '../broker/broker-local.js';
import type { Broker } from '../broker/broker.js';
import type { GatewayConfig } from '../config/options.js';
import type { Logger } from '../logger.js';
import { openRoomStore } from '../store/index.js';
import type { RoomStore } from '../store/room-store.js';
import type { ProcessIndex } from '../types.js';

export interface Backends {
  store: RoomStore;
  broker: Broker;
  /** Set when the backend allocates this process's index (e.g. a shared Redis counter). */
  processIndex?: ProcessIndex;
}

export async function openBackends(config: Readonly<GatewayConfig>, _logger: Logger): Promise<Backends> {
  const store = await openRoomStore(
    config.roomStore === 'file' ? { type: 'file', dir: config.roomStoreDir } : { type: 'memory' },
  );
  return { store, broker: new LocalBroker() };
}
