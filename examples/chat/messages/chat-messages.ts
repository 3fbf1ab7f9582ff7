/**
 * The chat's WebSocket commands (the original's `src/message/ExampleWebsocket.php`): the compatible room commands
 * from the library. Add your own with `gateway.onMessage('cmd', handler)`.
 */
import { registerRoomCommands, type Gateway } from '../../../src/index.js';

export function registerChatMessages(gateway: Gateway): void {
  registerRoomCommands(gateway);
}
