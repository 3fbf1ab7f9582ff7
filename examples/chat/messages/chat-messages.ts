/**
 * The chat's WebSocket commands (the original's `src/message/ExampleWebsocket.php`): the compatible room commands
 * from the library, and `hello|{"no":1,"name":"tars"}`, which calls the Tars Hello service.
 */
import { registerRoomCommands, type Gateway } from '../../../src/index.js';
import { parseNo, type HelloClient } from '../hello-client.js';

export function registerChatMessages(gateway: Gateway, hello: HelloClient): void {
  registerRoomCommands(gateway);
  gateway.onMessage('hello', async (ctx) => {
    const obj = ctx.object();
    return hello.hello(parseNo(ctx.field(obj, 'no')), ctx.field(obj, 'name'));
  });
}
