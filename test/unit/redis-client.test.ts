import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { clusterKeyPrefix } from '../../src/redis/keys.js';
import {
  parseRedisUrls,
  reconnectDelay,
  RECONNECT_MAX_MS,
  RECONNECT_MIN_MS,
  redactUrl,
} from '../../src/redis/redis-client.js';

describe('Redis connection settings', () => {
  it('waits between reconnection attempts from about 50 ms, doubling, up to about 2 s, with jitter', () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** (attempt - 1));
      for (let i = 0; i < 20; i++) {
        const delay = reconnectDelay(attempt);
        assert.ok(delay >= base * 0.8 - 1 && delay <= base * 1.2 + 1, `attempt ${attempt}: ${delay}`);
      }
    }
  });

  it('accepts one URL, or several comma-separated cluster seeds', () => {
    assert.deepEqual(parseRedisUrls('redis://127.0.0.1:6379/2'), ['redis://127.0.0.1:6379/2']);
    assert.deepEqual(parseRedisUrls('rediss://u:p@h1:7000, redis://h2:7000'), [
      'rediss://u:p@h1:7000',
      'redis://h2:7000',
    ]);
  });

  it('refuses anything else with a ConfigError naming redisUrl', () => {
    for (const bad of [
      '',
      ' , ',
      'localhost:6379',
      'http://h',
      'redis://',
      'redis://h/db1',
      'redis://h1,nope',
    ]) {
      assert.throws(
        () => parseRedisUrls(bad),
        (err: unknown) => err instanceof ConfigError && err.key === 'redisUrl',
        JSON.stringify(bad),
      );
    }
  });

  it('keeps passwords out of logs', () => {
    assert.equal(redactUrl('redis://user:secret@h:6379/0'), 'redis://user:***@h:6379/0');
    assert.equal(redactUrl('redis://h:6379'), 'redis://h:6379');
  });

  it('turns the key prefix into a hash tag on a cluster, unless it has one', () => {
    assert.equal(clusterKeyPrefix('tars-ws:'), '{tars-ws:}');
    assert.equal(clusterKeyPrefix('{app}:ws:'), '{app}:ws:');
  });
});
