import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globToRegExp } from '../../src/http/channel-glob.js';

describe('channels pattern of the server API (glob)', () => {
  const matches = (pattern: string, name: string): boolean => globToRegExp(pattern).test(name);

  it('matches * across any characters and ? one character', () => {
    assert.ok(matches('chat:*', 'chat:room:1'));
    assert.ok(matches('r?', 'r1'));
    assert.ok(!matches('r?', 'r12'));
    assert.ok(matches('*', ''));
  });

  it('matches classes, negated classes and alternatives', () => {
    assert.ok(matches('room[12]', 'room2'));
    assert.ok(!matches('room[!12]', 'room2'));
    assert.ok(matches('{news,chat}:x', 'chat:x'));
    assert.ok(!matches('{news,chat}:x', 'other:x'));
  });

  it('takes every other character literally, regular expression syntax included', () => {
    assert.ok(matches('a.b+(c)', 'a.b+(c)'));
    assert.ok(!matches('a.b', 'axb'));
    assert.ok(matches('a\\*', 'a*'));
    assert.ok(!matches('a\\*', 'ab'));
  });
});
