import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdminAuth, LoginThrottle } from '../../src/http/admin/index.js';

const options = { password: 'pw', secret: '', salt: 'salt', ttlMs: 60_000 };

describe('admin sessions', () => {
  it('accept the cookie they issued and refuse it under another key or after expiry', () => {
    let now = 1_000_000;
    const auth = new AdminAuth({ ...options, now: () => now });
    const { cookie, session } = auth.issue();
    assert.equal(auth.verify(`a=b; tars_ws_admin=${cookie}`)?.csrf, session.csrf);
    assert.equal(new AdminAuth({ ...options, salt: 'other' }).verify(`tars_ws_admin=${cookie}`), undefined);
    assert.equal(new AdminAuth({ ...options, password: 'pw2' }).verify(`tars_ws_admin=${cookie}`), undefined);
    now += 60_000;
    assert.equal(auth.verify(`tars_ws_admin=${cookie}`), undefined);
  });

  it('hold on every process that shares the secret', () => {
    const a = new AdminAuth({ ...options, secret: 's3cret', salt: 'one' });
    const b = new AdminAuth({ ...options, secret: 's3cret', salt: 'two' });
    assert.ok(b.verify(`tars_ws_admin=${a.issue().cookie}`));
  });

  it('check the CSRF token of their own session only', () => {
    const auth = new AdminAuth(options);
    const one = auth.issue().session;
    const two = auth.issue().session;
    assert.equal(auth.checkCsrf(one, one.csrf), true);
    assert.equal(auth.checkCsrf(one, two.csrf), false);
    assert.equal(auth.checkCsrf(one, undefined), false);
  });
});

describe('login throttle', () => {
  it('doubles the delay per failure, up to 64 times the base', () => {
    const t = new LoginThrottle(10, 100, () => 0);
    const delays = Array.from({ length: 9 }, () => t.failed('a'));
    assert.deepEqual(delays, [10, 20, 40, 80, 160, 320, 640, 640, 640]);
  });

  it('remembers a bounded number of addresses, forgetting the oldest', () => {
    const t = new LoginThrottle(10, 100, () => 0);
    for (let i = 0; i < 1000; i++) t.failed(`10.0.${i >> 8}.${i & 255}`);
    assert.equal(t.size, 100);
  });

  it('forgets an address after a good login', () => {
    const t = new LoginThrottle(10, 100, () => 0);
    for (let i = 0; i < 5; i++) t.failed('a');
    assert.ok(t.lockedFor('a') > 0);
    t.succeeded('a');
    assert.equal(t.lockedFor('a'), 0);
  });
});
