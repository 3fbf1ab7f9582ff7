/** The example Hello server answers the generated Hello proxy over TARS and TUP. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { HELLO_SERVANT, startHelloServer } from '../../examples/chat/hello-server.js';
import { HelloProxy } from '../../examples/chat/generated/hello.js';
import { ObjectProxy } from '../../src/tars/rpc/object-proxy.js';

test('the Hello server answers hello <name> #<no> over TARS and TUP', async () => {
  const server = await startHelloServer('127.0.0.1', 0, pino({ level: 'silent' }));
  for (const version of [1, 3] as const) {
    const proxy = new ObjectProxy(`${HELLO_SERVANT}@${server.endpoint}`, { version });
    assert.deepEqual(await new HelloProxy(proxy).hello(7, 'ann'), { ret: 'hello ann #7' });
    await proxy.close();
  }
  await server.close();
});
