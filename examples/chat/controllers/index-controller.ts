/**
 * The original's IndexController: the HTTP push endpoints, same paths and reply texts, by GET or POST (form or
 * JSON body). Pushing requires the push token (or a loopback caller when none is configured).
 */
import { Controller } from '../../../src/index.js';

export class IndexController extends Controller {
  actionIndex(): string {
    return 'index success!!';
  }

  /** `/Index/pushByRoom?roomNum=room1&message=hi` */
  async actionPushByRoom(): Promise<string> {
    this.requirePushAuth();
    const room = this.gateway.checkRoom(this.required('roomNum'));
    const message = this.gateway.checkMessage(this.required('message'));
    await this.gateway.sendToRoom(room, message);
    return 'pushBy room success';
  }

  /** `/Index/pushAll?message=hi` */
  async actionPushAll(): Promise<string> {
    this.requirePushAuth();
    await this.gateway.broadcast(this.gateway.checkMessage(this.required('message')));
    return 'pushBy all success';
  }
}
