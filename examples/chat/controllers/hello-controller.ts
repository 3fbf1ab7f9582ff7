/** `/Hello/hello?no=1&name=tars`: calls the Tars Hello service through the generated proxy and returns its answer. */
import { Controller } from '../../../src/index.js';
import { parseNo, type HelloClient } from '../hello-client.js';

/** Builds the controller class bound to one Hello client (controllers are created per request). */
export function helloController(
  client: HelloClient,
): new (...args: ConstructorParameters<typeof Controller>) => Controller {
  return class HelloController extends Controller {
    async actionHello(): Promise<{ ret: string }> {
      return { ret: await client.hello(parseNo(this.required('no')), this.required('name')) };
    }
  };
}
