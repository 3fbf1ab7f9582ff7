/** Endpoint strings, object addresses and request ids. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EndpointParseError,
  formatEndpoint,
  parseEndpoint,
  parseEndpoints,
  parseObjectAddress,
} from '../../src/tars/rpc/endpoint.js';
import { RequestIds } from '../../src/tars/rpc/request-ids.js';

describe('endpoint strings', () => {
  test('parses protocol, host, port and timeout', () => {
    assert.deepEqual(parseEndpoint('tcp -h 10.0.0.5 -p 8081 -t 60000'), {
      protocol: 'tcp',
      host: '10.0.0.5',
      port: 8081,
      timeout: 60000,
    });
  });

  test('the timeout is optional, flag order free, extra spaces and unknown flags ignored', () => {
    assert.deepEqual(parseEndpoint('  tcp  -p 1 -e 0 -h h  '), {
      protocol: 'tcp',
      host: 'h',
      port: 1,
      timeout: 0,
    });
    assert.equal(parseEndpoint('ssl -h h -p 2 -a').protocol, 'ssl');
  });

  test('several endpoints are joined by colons', () => {
    const eps = parseEndpoints('tcp -h 10.0.0.1 -p 17890:tcp -h 10.0.0.2 -p 17890 -t 3000');
    assert.deepEqual(eps.map(formatEndpoint), [
      'tcp -h 10.0.0.1 -p 17890',
      'tcp -h 10.0.0.2 -p 17890 -t 3000',
    ]);
  });

  test('malformed endpoints are rejected with the input quoted', () => {
    for (const bad of [
      '',
      'http -h a -p 1',
      'tcp -p 1',
      'tcp -h a',
      'tcp -h a -p 70000',
      'tcp -h a -p x',
      'tcp h a',
    ]) {
      assert.throws(
        () => parseEndpoint(bad),
        (e: unknown) => e instanceof EndpointParseError && e.message.includes(`"${bad}"`),
      );
    }
  });

  test('an object address names the servant and its endpoints', () => {
    const a = parseObjectAddress(
      'TestApp.HelloServer.HelloObj@tcp -h 127.0.0.1 -p 18600 -t 3000:tcp -h 127.0.0.2 -p 18600',
    );
    assert.equal(a.name, 'TestApp.HelloServer.HelloObj');
    assert.deepEqual(
      a.endpoints.map((e) => e.host),
      ['127.0.0.1', '127.0.0.2'],
    );
  });

  test('an object address without @ is resolved later through the registry', () => {
    assert.deepEqual(parseObjectAddress(' App.Server.Obj '), { name: 'App.Server.Obj', endpoints: [] });
    assert.throws(() => parseObjectAddress('@tcp -h a -p 1'), EndpointParseError);
  });
});

describe('request ids', () => {
  test('count up from 1', () => {
    const ids = new RequestIds(new Set<number>());
    assert.deepEqual([ids.next(), ids.next(), ids.next()], [1, 2, 3]);
  });

  test('wrap around to 1 after 2^31 - 1', () => {
    const ids = new RequestIds(new Set<number>(), 2 ** 31 - 1);
    assert.deepEqual([ids.next(), ids.next()], [2 ** 31 - 1, 1]);
  });

  test('skip ids still in flight', () => {
    const ids = new RequestIds(new Set([2, 3, 5]));
    assert.deepEqual([ids.next(), ids.next(), ids.next()], [1, 4, 6]);
  });
});
