import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/index.js';
import { checkPushAuth, isLoopbackHost } from '../../src/gateway/access.js';

const req = (remoteAddress: string, authorization?: string, host = '127.0.0.1:8080'): IncomingMessage =>
  ({
    socket: { remoteAddress },
    headers: authorization ? { authorization, host } : { host },
  }) as unknown as IncomingMessage;

const status = (fn: () => void): number => {
  try {
    fn();
    return 200;
  } catch (err) {
    return err instanceof GatewayError ? err.status : -1;
  }
};

describe('push API authorisation', () => {
  it('without a token, admits loopback callers and refuses others with 403', () => {
    assert.equal(
      status(() => checkPushAuth(req('127.0.0.1'), '')),
      200,
    );
    assert.equal(
      status(() => checkPushAuth(req('10.1.2.3'), '')),
      403,
    );
  });

  it('without a token, refuses a loopback caller whose Host is not a loopback name (DNS rebinding)', () => {
    for (const host of [
      'attacker.example',
      'attacker.example:8080',
      '127.0.0.1.nip.io',
      '10.0.0.1',
      '[::2]:80',
    ]) {
      assert.equal(
        status(() => checkPushAuth(req('127.0.0.1', undefined, host), '')),
        403,
        host,
      );
    }
    assert.throws(
      () => checkPushAuth(req('127.0.0.1', undefined, 'attacker.example'), ''),
      (err: unknown) => err instanceof GatewayError && /PUSH_TOKEN/.test(err.message),
    );
    for (const host of [
      'localhost',
      'LOCALHOST:9000',
      'app.localhost',
      '127.0.0.1',
      '127.9.8.7:1',
      '[::1]',
      '[::1]:8080',
    ]) {
      assert.equal(
        status(() => checkPushAuth(req('::1', undefined, host), '')),
        200,
        host,
      );
    }
  });

  it('recognises loopback Host headers only', () => {
    assert.ok(isLoopbackHost('localhost.'));
    assert.ok(!isLoopbackHost(undefined));
    assert.ok(!isLoopbackHost(''));
    assert.ok(!isLoopbackHost('localhost:abc'));
    assert.ok(!isLoopbackHost('[::1'));
    assert.ok(!isLoopbackHost('[::1]x'));
    assert.ok(!isLoopbackHost('127.0.0.1@evil'));
    assert.ok(!isLoopbackHost('notlocalhost'));
  });

  it('with a token, requires it from every caller, loopback included', () => {
    assert.equal(
      status(() => checkPushAuth(req('127.0.0.1'), 'tok')),
      401,
    );
    assert.equal(
      status(() => checkPushAuth(req('10.1.2.3', 'Bearer tok'), 'tok')),
      200,
    );
    assert.equal(
      status(() => checkPushAuth(req('10.1.2.3', 'bearer  tok '), 'tok')),
      200,
    );
    assert.equal(
      status(() => checkPushAuth(req('10.1.2.3', 'Bearer tok2'), 'tok')),
      401,
    );
    assert.equal(
      status(() => checkPushAuth(req('10.1.2.3', 'Basic tok'), 'tok')),
      401,
    );
  });
});
