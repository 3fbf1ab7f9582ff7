/** Client adapters by target. */
import type { TargetName } from '../targets.js';
import type { TargetClient } from './client.js';
import { socketIoClient } from './socketio-client.js';
import { tarsWsClient } from './tars-ws-client.js';
import { wsClient } from './ws-client.js';

export const CLIENTS: Record<TargetName, TargetClient> = {
  'tars-ws': tarsWsClient,
  ws: wsClient,
  'socket.io': socketIoClient,
  'ws-corked': wsClient,
  'tars-ws-stats': tarsWsClient,
  'tars-ws-metrics': tarsWsClient,
};
