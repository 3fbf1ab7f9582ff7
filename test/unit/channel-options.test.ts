import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChannelRules,
  DEFAULT_CHANNEL_OPTIONS,
  parseChannelOptions,
  parseNamespaces,
  userAllowed,
} from '../../src/config/channel-options.js';
import { ConfigError } from '../../src/errors.js';
import { defaultConfig, LiveSettings, loadConfig } from '../../src/index.js';
import { mayPublish, maySubscribe, withOverride } from '../../src/protocol/centrifuge/permissions.js';
import { TokenBucket } from '../../src/protocol/centrifuge/token-bucket.js';

const refused = (fn: () => unknown, key: string): void =>
  assert.throws(fn, (err: unknown) => err instanceof ConfigError && err.key === key);

describe('channel options in the config', () => {
  it('default every allow to false, as Centrifugo does', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.channelDefaults.allowSubscribeForClient, false);
    assert.equal(config.channelDefaults.allowPublishForSubscriber, false);
    assert.deepEqual(config.namespaces, []);
  });

  it('read namespaces from JSON text in the environment', () => {
    const config = loadConfig({ env: { NAMESPACES: '[{"name":"chat","allowSubscribeForClient":true}]' } });
    assert.equal(config.namespaces[0]?.name, 'chat');
    assert.equal(config.namespaces[0]?.allowSubscribeForClient, true);
    assert.equal(config.namespaces[0]?.presence, false);
  });

  it('refuse an unknown option, naming it', () => {
    refused(
      () => parseNamespaces([{ name: 'chat', allowSubscribe: true }], 'namespaces'),
      'namespaces[0].allowSubscribe',
    );
  });

  it('refuse a value of the wrong type, naming the key and the source', () => {
    refused(
      () => loadConfig({ env: { CHANNEL_DEFAULTS: '{"presence":"yes"}' } }),
      'channelDefaults.presence (from env CHANNEL_DEFAULTS)',
    );
    refused(
      () => parseChannelOptions({ historySize: -1, historyTtlMs: 1 }, 'channelDefaults'),
      'channelDefaults.historySize',
    );
  });

  it('refuse a duplicate namespace name and a name outside Centrifugo syntax', () => {
    refused(() => parseNamespaces([{ name: 'chat' }, { name: 'chat' }], 'namespaces'), 'namespaces[1].name');
    refused(() => parseNamespaces([{ name: 'a' }], 'namespaces'), 'namespaces[0].name');
    refused(() => parseNamespaces([{ name: 'a:b' }], 'namespaces'), 'namespaces[0].name');
    refused(() => parseNamespaces([{ presence: true }], 'namespaces'), 'namespaces[0].name');
  });

  it('refuse history with one bound only and recovery without history', () => {
    refused(() => parseChannelOptions({ historySize: 10 }, 'channelDefaults'), 'channelDefaults.historySize');
    refused(
      () => parseChannelOptions({ forceRecovery: true }, 'channelDefaults'),
      'channelDefaults.forceRecovery',
    );
  });

  it('compare by content on a config reload: the same namespaces read again are no change, others need a restart', () => {
    const base = { ...defaultConfig(), namespaces: parseNamespaces([{ name: 'chat' }], 'namespaces') };
    const settings = new LiveSettings(base);
    assert.deepEqual(
      settings.apply({ ...base, namespaces: parseNamespaces([{ name: 'chat' }], 'namespaces') }),
      [],
    );
    const changes = settings.apply({
      ...base,
      namespaces: parseNamespaces([{ name: 'news' }], 'namespaces'),
    });
    assert.deepEqual(
      changes.map((c) => [c.key, c.live]),
      [['namespaces', false]],
    );
  });

  it('refuse invalid JSON text', () => {
    refused(() => loadConfig({ env: { NAMESPACES: '[{' } }), 'namespaces (from env NAMESPACES)');
  });
});

describe('channel rules', () => {
  const chat = { ...DEFAULT_CHANNEL_OPTIONS, name: 'chat', allowSubscribeForClient: true };
  const rules = new ChannelRules(DEFAULT_CHANNEL_OPTIONS, [chat]);

  it('resolve a room to the defaults, ns:name to its namespace, an unknown namespace to nothing', () => {
    assert.equal(rules.resolve('room1')?.namespace, '');
    assert.equal(rules.resolve('chat:x')?.options.allowSubscribeForClient, true);
    assert.equal(rules.resolve('nope:x'), undefined);
  });

  it('read the namespace of a $ channel after the prefix and mark it private', () => {
    assert.deepEqual(rules.resolve('$chat:x'), { namespace: 'chat', options: chat, private: true });
  });

  it('guard namespaced and $ channels from text clients, not rooms', () => {
    assert.equal(rules.isGuarded('chat:x'), true);
    assert.equal(rules.isGuarded('$x'), true);
    assert.equal(rules.isGuarded('room1'), false);
    // An unknown namespace is no Centrifugo channel at all: it stays the room it always was for text clients.
    assert.equal(rules.isGuarded('nope:x'), false);
  });

  it('list the users of a user-limited channel after #', () => {
    assert.equal(userAllowed('dm:#alice,bob', 'bob'), true);
    assert.equal(userAllowed('dm:#alice,bob', 'carol'), false);
    assert.equal(userAllowed('dm:#alice', ''), false);
  });
});

describe('channel permissions', () => {
  const o = DEFAULT_CHANNEL_OPTIONS;

  it('let clients subscribe with allowSubscribeForClient, anonymous ones only with allowSubscribeForAnonymous', () => {
    const open = { ...o, allowSubscribeForClient: true };
    assert.equal(maySubscribe(open, 'x', 'alice'), true);
    assert.equal(maySubscribe(open, 'x', ''), false);
    assert.equal(maySubscribe({ ...open, allowSubscribeForAnonymous: true }, 'x', ''), true);
    assert.equal(maySubscribe(o, 'x', 'alice'), false);
  });

  it('decide user-limited channels by the user list alone', () => {
    const dm = { ...o, allowUserLimitedChannels: true, allowSubscribeForClient: true };
    assert.equal(maySubscribe(dm, 'dm:#alice', 'alice'), true);
    assert.equal(maySubscribe(dm, 'dm:#alice', 'bob'), false);
  });

  it('let subscribers publish with allowPublishForSubscriber and anyone with allowPublishForClient', () => {
    const sub = { ...o, allowPublishForSubscriber: true };
    assert.equal(mayPublish(sub, 'alice', true), true);
    assert.equal(mayPublish(sub, 'alice', false), false);
    assert.equal(mayPublish(sub, '', true), false);
    assert.equal(mayPublish({ ...o, allowPublishForClient: true }, 'alice', false), true);
  });

  it('apply a token override to one subscription', () => {
    assert.equal(withOverride({ ...o, presence: true }, { presence: false }).presence, false);
    assert.equal(withOverride(o, { join_leave: true }).joinLeave, true);
  });
});

describe('token bucket', () => {
  it('allow a burst, then refill at the rate', () => {
    const bucket = new TokenBucket(2, 3, 0);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => bucket.take(0)),
      [true, true, true, false],
    );
    assert.equal(bucket.take(499), false);
    assert.equal(bucket.take(501), true);
  });
});
