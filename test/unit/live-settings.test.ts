import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig, type GatewayConfig } from '../../src/config/options.js';
import {
  describeChanges,
  LIVE_KEYS,
  LiveSettings,
  type ConfigChange,
} from '../../src/config/live-settings.js';

const base: GatewayConfig = Object.freeze(defaultConfig());
const next = (changes: Partial<GatewayConfig>): GatewayConfig => ({ ...base, ...changes });

describe('live settings', () => {
  it('hand out a frozen view that starts with the given values', () => {
    const { config } = new LiveSettings(base);
    assert.ok(Object.isFrozen(config));
    assert.deepEqual({ ...config }, { ...base });
    assert.throws(() => {
      (config as GatewayConfig).maxConnections = 1;
    }, TypeError);
  });

  it('apply a new value of a live option to the view at once', () => {
    const settings = new LiveSettings(base);
    const changes = settings.apply(next({ maxConnections: 5, maxMessageLength: 10 }));
    assert.equal(settings.config.maxConnections, 5);
    assert.equal(settings.config.maxMessageLength, 10);
    assert.deepEqual(changes, [
      { key: 'maxMessageLength', from: base.maxMessageLength, to: 10, live: true },
      { key: 'maxConnections', from: base.maxConnections, to: 5, live: true },
    ] satisfies ConfigChange[]);
  });

  it('keep the running value of an option read only at start, and say it needs a restart', () => {
    const settings = new LiveSettings(base);
    const changes = settings.apply(next({ port: 9999, maxFrameBytes: 100 }));
    assert.equal(settings.config.port, base.port);
    assert.equal(settings.config.maxFrameBytes, base.maxFrameBytes);
    assert.ok(changes.every((c) => !c.live));
    assert.deepEqual(
      changes.map((c) => c.key),
      ['port', 'maxFrameBytes'],
    );
  });

  it('report nothing for an identical config, and a second apply only what differs from the first', () => {
    const settings = new LiveSettings(base);
    assert.deepEqual(settings.apply(base), []);
    settings.apply(next({ drainMs: 1 }));
    assert.deepEqual(settings.apply(next({ drainMs: 1 })), []);
  });

  it('are found again from the view they made, and not from any other object', () => {
    const settings = new LiveSettings(base);
    assert.equal(LiveSettings.of(settings.config), settings);
    assert.equal(LiveSettings.of(base), undefined);
  });

  it('describe the changes without showing secrets', () => {
    const settings = new LiveSettings(base);
    const text = describeChanges(settings.apply(next({ pushToken: 's3cret', logLevel: 'debug', port: 1 })));
    assert.equal(
      text,
      'applied: pushToken (changed), logLevel "info" -> "debug"; needs a restart (not applied): port 8080 -> 1',
    );
    assert.doesNotMatch(text, /s3cret/);
    assert.equal(describeChanges([]), 'nothing changed');
  });

  it('name only options that exist', () => {
    for (const key of LIVE_KEYS) assert.ok(key in base, key);
  });
});
