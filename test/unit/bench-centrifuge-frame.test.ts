/** readFrame, the fan-out benchmark's reader of Centrifugo JSON frames (bench/fanout/clients/centrifuge-client.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFrame, type FrameHandler } from '../../bench/fanout/clients/centrifuge-client.js';

function read(frame: string): string[] {
  const seen: string[] = [];
  const on: FrameHandler = {
    push: (data) => seen.push(`push ${data}`),
    ping: () => seen.push('ping'),
    reply: (id, error) => seen.push(`reply ${id}${error === undefined ? '' : ` ${error}`}`),
  };
  readFrame(frame, on);
  return seen;
}

describe('bench readFrame', () => {
  it('reports each line of a batch in order: replies, pings and publications', () => {
    const frame = [
      '{"id":1,"connect":{"client":"7","ping":25,"pong":true}}',
      '{"id":2,"subscribe":{}}',
      '{}',
      '{"push":{"channel":"room1","pub":{"data":"123.456 1 xxx"}}}',
    ].join('\n');
    assert.deepEqual(read(frame), ['reply 1', 'reply 2', 'ping', 'push 123.456 1 xxx']);
  });

  it('gives a refused command its code and message', () => {
    assert.deepEqual(read('{"id":2,"error":{"code":103,"message":"permission denied"}}'), [
      'reply 2 103 permission denied',
    ]);
  });

  it('decodes escaped string data and gives other data as its JSON text', () => {
    const escaped = JSON.stringify({ push: { channel: 'room1', pub: { data: 'a "b" \\ c\nd' } } });
    const json = '{"push":{"channel":"room1","pub":{"data":{"n":1},"offset":3}}}';
    assert.deepEqual(read(`${escaped}\n${json}`), ['push a "b" \\ c\nd', 'push {"n":1}']);
  });
});
