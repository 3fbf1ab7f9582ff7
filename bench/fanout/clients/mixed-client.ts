/**
 * Half the subscribers on the text protocol, half on the Centrifugo protocol, alternating, so every push is encoded
 * for both and the fan-out loop switches protocol from one receiver to the next (its worst case).
 */
import { centrifugeClient } from './centrifuge-client.js';
import type { TargetClient } from './client.js';
import { tarsWsClient } from './tars-ws-client.js';

export const mixedClient: TargetClient = {
  subscribe: (url, room, onPush, index) =>
    (index % 2 === 0 ? tarsWsClient : centrifugeClient).subscribe(url, room, onPush, index),
  publisher: (url) => tarsWsClient.publisher(url),
};
