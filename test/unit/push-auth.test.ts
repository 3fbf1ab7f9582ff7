import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/index.js';
import { checkPushAuth } from '../../src/http/push-auth.js';

const req = (remoteAddress: string, authorization?: string): IncomingMessage =>
  ({
    socket: { remoteAddress },
    headers: authorization ? { authorization } : {},
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
