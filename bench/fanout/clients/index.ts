/** Client adapters by target. */
import type { TargetName } from '../targets.js';
import { centrifugeClient } from './centrifuge-client.js';
import type { TargetClient } from './client.js';
import { mixedClient } from './mixed-client.js';
import { socketIoClient } from './socketio-client.js';
import { tarsWsClient } from './tars-ws-client.js';
import { wsClient } from './ws-client.js';

export const CLIENTS: Record<TargetName, TargetClient> = {
  'tars-ws': tarsWsClient,
  'tars-ws-centrifuge': centrifugeClient,
  'tars-ws-mixed': mixedClient,
  ws: wsClient,
  'socket.io': socketIoClient,
  'ws-corked': wsClient,
  'tars-ws-stats': tarsWsClient,
  'tars-ws-metrics': tarsWsClient,
  'tars-ws-history': tarsWsClient,
  'tars-ws-history-redis': tarsWsClient,
};
