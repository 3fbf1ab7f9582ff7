import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/errors.js';
import {
  addressAllowed,
  checkPushObjCaller,
  parseAllowList,
  PUSH_OBJ_TOKEN_KEY,
} from '../../src/platform/tars/push-access.js';

const refusedWith =
  (status: number) =>
  (err: unknown): boolean =>
    err instanceof GatewayError && err.status === status;

describe('PushObj allow list (the adapter allow key, read as TarsCpp does)', () => {
  it('splits at ; and , and drops blanks', () => {
    assert.deepEqual(parseAllowList(' 10.0.0.1; 10.0.*.*,,127.0.0.1 '), [
      '10.0.0.1',
      '10.0.*.*',
      '127.0.0.1',
    ]);
    assert.deepEqual(parseAllowList(''), []);
  });

  it('allows every address when empty', () => {
    assert.ok(addressAllowed('192.0.2.1', []));
  });

  it('matches an exact address and nothing else', () => {
    assert.ok(addressAllowed('10.0.0.1', ['10.0.0.1']));
    assert.ok(!addressAllowed('10.0.0.10', ['10.0.0.1']));
  });

  it('lets * stand for one dot-separated part, never for a dot', () => {
    assert.ok(addressAllowed('10.0.7.42', ['10.0.*.*']));
    assert.ok(!addressAllowed('10.0.7.42', ['10.0.*']));
    assert.ok(!addressAllowed('10.1.7.42', ['10.0.*.*']));
  });

  it('reads an IPv4 caller on a dual-stack socket as its IPv4 address', () => {
    assert.ok(addressAllowed('::ffff:127.0.0.1', ['127.0.0.1']));
  });
});

describe('PushObj caller check', () => {
  const context = (token?: string): ReadonlyMap<string, string> =>
    new Map(token === undefined ? [] : [[PUSH_OBJ_TOKEN_KEY, token]]);

  it('refuses an address outside the allow list with 403, whatever the token', () => {
    assert.throws(
      () =>
        checkPushObjCaller(
          { remoteAddress: '192.0.2.1', context: context('t') },
          { allow: ['10.*.*.*'], token: 't' },
        ),
      refusedWith(403),
    );
  });

  it('refuses a missing or wrong token with 401 when one is configured', () => {
    const rule = { allow: [], token: 't0ken' };
    assert.throws(
      () => checkPushObjCaller({ remoteAddress: '10.0.0.1', context: context() }, rule),
      refusedWith(401),
    );
    assert.throws(
      () => checkPushObjCaller({ remoteAddress: '10.0.0.1', context: context('t0kem') }, rule),
      refusedWith(401),
    );
  });

  it('lets a caller with the right token from an allowed address through', () => {
    checkPushObjCaller(
      { remoteAddress: '10.0.0.1', context: context('t0ken') },
      { allow: ['10.0.0.1'], token: 't0ken' },
    );
  });

  it('asks nothing when neither rule is configured', () => {
    checkPushObjCaller({ remoteAddress: '192.0.2.1', context: context() }, { allow: [], token: '' });
  });
});
