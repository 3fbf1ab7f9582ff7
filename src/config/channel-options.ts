/**
 * Channel options as Centrifugo names them (camelCase): `channelDefaults` for channels without a namespace (the
 * rooms) and `namespaces` for `name:rest` channels. Parsed and validated at start; {@link ChannelRules} resolves a
 * channel to its options, so the Centrifugo session (permissions), history and presence read one typed object.
 */
import { ConfigError } from '../errors.js';

/** What a channel allows and keeps. Every allow is false by default, as in Centrifugo. */
export interface ChannelOptions {
  /** Keep presence (who is subscribed). Default false. */
  readonly presence: boolean;
  /** Send join/leave pushes to subscribers that ask for them. Default false. */
  readonly joinLeave: boolean;
  /** Publications kept in history; 0 = none. Set together with historyTtlMs. Default 0. */
  readonly historySize: number;
  /** How long history is kept, in ms; 0 = none. Default 0. */
  readonly historyTtlMs: number;
  /** Recover missed publications on resubscribe for every subscriber (needs history). Default false. */
  readonly forceRecovery: boolean;
  /** Any connection with a user id may subscribe. */
  readonly allowSubscribeForClient: boolean;
  /** With allowSubscribeForClient: anonymous connections too. */
  readonly allowSubscribeForAnonymous: boolean;
  /** A subscriber of the channel may publish to it (anonymous ones with allowPublishForAnonymous). */
  readonly allowPublishForSubscriber: boolean;
  /** Any connection with a user id may publish, subscribed or not. */
  readonly allowPublishForClient: boolean;
  /** With either publish allow: anonymous connections too. */
  readonly allowPublishForAnonymous: boolean;
  readonly allowPresenceForSubscriber: boolean;
  readonly allowPresenceForClient: boolean;
  readonly allowPresenceForAnonymous: boolean;
  readonly allowHistoryForSubscriber: boolean;
  readonly allowHistoryForClient: boolean;
  readonly allowHistoryForAnonymous: boolean;
  /** A channel with `#u1,u2` at its end may be subscribed by those users without a token. */
  readonly allowUserLimitedChannels: boolean;
}

/** A namespace: channels `name:...` take these options. */
export interface NamespaceOptions extends ChannelOptions {
  readonly name: string;
}

export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = Object.freeze({
  presence: false,
  joinLeave: false,
  historySize: 0,
  historyTtlMs: 0,
  forceRecovery: false,
  allowSubscribeForClient: false,
  allowSubscribeForAnonymous: false,
  allowPublishForSubscriber: false,
  allowPublishForClient: false,
  allowPublishForAnonymous: false,
  allowPresenceForSubscriber: false,
  allowPresenceForClient: false,
  allowPresenceForAnonymous: false,
  allowHistoryForSubscriber: false,
  allowHistoryForClient: false,
  allowHistoryForAnonymous: false,
  allowUserLimitedChannels: false,
});

/** Whether a channel keeps history (both bounds set). */
export function keepsHistory(options: ChannelOptions): boolean {
  return options.historySize > 0 && options.historyTtlMs > 0;
}

/** Separates a channel's namespace from the rest (`chat:room1`). */
export const NAMESPACE_BOUNDARY = ':';
/** Channels starting with it cannot be subscribed without a subscription token (Centrifugo's private prefix). */
export const PRIVATE_PREFIX = '$';
/** Starts the user list of a user-limited channel (`dm:#alice,bob`). */
export const USER_BOUNDARY = '#';

/** Centrifugo's rule for namespace names. */
const NAMESPACE_NAME = /^[-a-zA-Z0-9_.]{2,}$/;
const MAX_HISTORY_SIZE = 1_000_000;
const MAX_HISTORY_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Checks a `channelDefaults` value (an object; a string is read as JSON, as env and flags give it).
 * @throws ConfigError naming the key (`channelDefaults.allowPublishForClient`) and what it accepts.
 */
export function parseChannelOptions(raw: unknown, where: string, source = ''): ChannelOptions {
  const err = errorsAt(source);
  return Object.freeze(readOptions(fromJsonText(raw, where, err), where, false, err)) as ChannelOptions;
}

type Fail = (path: string, message: string) => ConfigError;

/** Errors name the path inside the value first, then where the value came from. */
function errorsAt(source: string): Fail {
  return (path, message) => new ConfigError(source === '' ? path : `${path} (from ${source})`, message);
}

/** Checks a `namespaces` value: an array of objects with a unique, valid `name` and channel options. */
export function parseNamespaces(raw: unknown, where: string, source = ''): readonly NamespaceOptions[] {
  const fail = errorsAt(source);
  const value = fromJsonText(raw, where, fail);
  if (!Array.isArray(value)) throw fail(where, 'expected an array of namespace objects');
  const seen = new Set<string>();
  const out = value.map((item: unknown, i) => {
    const at = `${where}[${i}]`;
    const ns = readOptions(item, at, true, fail) as NamespaceOptions;
    if (seen.has(ns.name)) throw fail(`${at}.name`, `duplicate namespace ${JSON.stringify(ns.name)}`);
    seen.add(ns.name);
    return Object.freeze(ns);
  });
  return Object.freeze(out);
}

function fromJsonText(raw: unknown, where: string, fail: Fail): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw fail(where, `not valid JSON: ${(err as Error).message}`);
  }
}

function readOptions(
  raw: unknown,
  where: string,
  named: boolean,
  fail: Fail,
): ChannelOptions & { name?: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw fail(where, 'expected an object of channel options');
  const out: Record<string, unknown> = { ...DEFAULT_CHANNEL_OPTIONS };
  for (const [key, value] of Object.entries(raw)) {
    const at = `${where}.${key}`;
    if (named && key === 'name') {
      if (typeof value !== 'string' || !NAMESPACE_NAME.test(value))
        throw fail(at, `got ${JSON.stringify(value)}; expected 2+ characters of A-Z a-z 0-9 - _ .`);
      out['name'] = value;
      continue;
    }
    if (!(key in DEFAULT_CHANNEL_OPTIONS)) {
      const known = [...(named ? ['name'] : []), ...Object.keys(DEFAULT_CHANNEL_OPTIONS)];
      throw fail(at, `unknown channel option; known: ${known.join(', ')}`);
    }
    if (key === 'historySize' || key === 'historyTtlMs') {
      const max = key === 'historySize' ? MAX_HISTORY_SIZE : MAX_HISTORY_TTL_MS;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max)
        throw fail(at, `got ${JSON.stringify(value)}; expected an integer from 0 to ${max}`);
    } else if (typeof value !== 'boolean') {
      throw fail(at, `got ${JSON.stringify(value)}; expected true or false`);
    }
    out[key] = value;
  }
  if (named && out['name'] === undefined) throw fail(`${where}.name`, 'a namespace needs a name');
  // Centrifugo's rules: history needs both bounds, recovery needs history.
  if ((out['historySize'] === 0) !== (out['historyTtlMs'] === 0))
    throw fail(`${where}.historySize`, 'historySize and historyTtlMs go together (both 0 or both set)');
  if (out['forceRecovery'] === true && out['historySize'] === 0)
    throw fail(`${where}.forceRecovery`, 'recovery needs historySize and historyTtlMs');
  return out as unknown as ChannelOptions & { name?: string };
}

/** A channel resolved against the config: its namespace ('' for rooms) and options. */
export interface ResolvedChannel {
  readonly namespace: string;
  readonly options: ChannelOptions;
  /** Starts with {@link PRIVATE_PREFIX}: subscribing needs a token. */
  readonly private: boolean;
}

/** Resolves channels to their options: `ns:rest` to namespace `ns`, anything else to the channel defaults. */
export class ChannelRules {
  readonly #defaults: ChannelOptions;
  readonly #namespaces: ReadonlyMap<string, ChannelOptions>;

  constructor(defaults: ChannelOptions, namespaces: readonly NamespaceOptions[]) {
    this.#defaults = defaults;
    this.#namespaces = new Map(namespaces.map((ns) => [ns.name, ns]));
  }

  /** The channel's namespace and options; undefined when it names a namespace that is not configured (102). */
  resolve(channel: string): ResolvedChannel | undefined {
    const isPrivate = channel.startsWith(PRIVATE_PREFIX);
    const name = isPrivate ? channel.slice(PRIVATE_PREFIX.length) : channel;
    const cut = name.indexOf(NAMESPACE_BOUNDARY);
    if (cut < 0) return { namespace: '', options: this.#defaults, private: isPrivate };
    const namespace = name.slice(0, cut);
    const options = this.#namespaces.get(namespace);
    return options === undefined ? undefined : { namespace, options, private: isPrivate };
  }

  /**
   * Whether clients outside the Centrifugo permission model (text and JSON protocol clients) must keep out of the
   * channel: it is private or belongs to a configured namespace. Other names, `a:b` included when no namespace `a`
   * exists, stay plain rooms as they always were.
   */
  isGuarded(channel: string): boolean {
    const resolved = this.resolve(channel);
    return resolved !== undefined && (resolved.private || resolved.namespace !== '');
  }
}

const rulesByConfig = new WeakMap<object, ChannelRules>();

/** The rules of a config's `channelDefaults` and `namespaces`, built once per config object. */
export function channelRulesOf(config: {
  readonly channelDefaults: ChannelOptions;
  readonly namespaces: readonly NamespaceOptions[];
}): ChannelRules {
  let rules = rulesByConfig.get(config);
  if (!rules)
    rulesByConfig.set(config, (rules = new ChannelRules(config.channelDefaults, config.namespaces)));
  return rules;
}

/** Whether `user` is listed after the `#` of a user-limited channel (`dm:#alice,bob`). */
export function userAllowed(channel: string, user: string): boolean {
  const cut = channel.lastIndexOf(USER_BOUNDARY);
  return (
    cut >= 0 &&
    user !== '' &&
    channel
      .slice(cut + 1)
      .split(',')
      .includes(user)
  );
}
