/**
 * The original's IndexController: the HTTP push endpoints, same paths and reply texts, by GET or POST (form or
 * JSON body). The library's send path checks the push token (or a same-machine caller when none is configured),
 * the room name and the message size.
 */
import { Controller } from '../../../src/index.js';

export class IndexController extends Controller {
  actionIndex(): string {
    return 'index success!!';
  }

  /** `/Index/pushByRoom?roomNum=room1&message=hi` */
  async actionPushByRoom(): Promise<string> {
    await this.pushToRoom(this.param('roomNum'), this.param('message'));
    return 'pushBy room success';
  }

  /** `/Index/pushAll?message=hi` */
  async actionPushAll(): Promise<string> {
    await this.pushToAll(this.param('message'));
    return 'pushBy all success';
  }
}
