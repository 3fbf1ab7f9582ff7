/**
 * Who may do what in a channel, in Centrifugo's order (server/channel_permissions): the channel's options decide for
 * clients without a subscription token; a valid token alone decides a subscribe. Pure functions of the options.
 */
import { userAllowed, USER_BOUNDARY, type ChannelOptions } from '../../config/channel-options.js';

/** Subscribe without a token: a listed user of a user-limited channel, else `allowSubscribeForClient`. */
export function maySubscribe(options: ChannelOptions, channel: string, user: string): boolean {
  if (options.allowUserLimitedChannels && channel.includes(USER_BOUNDARY)) return userAllowed(channel, user);
  return options.allowSubscribeForClient && (user !== '' || options.allowSubscribeForAnonymous);
}

/** Publish: `allowPublishForClient`, else `allowPublishForSubscriber` when subscribed; anonymous ones need the flag. */
export function mayPublish(options: ChannelOptions, user: string, subscribed: boolean): boolean {
  if (user === '' && !options.allowPublishForAnonymous) return false;
  return options.allowPublishForClient || (options.allowPublishForSubscriber && subscribed);
}

/** History, once the channel keeps it: `allowHistoryForClient`, else `allowHistoryForSubscriber` when subscribed. */
export function mayReadHistory(options: ChannelOptions, user: string, subscribed: boolean): boolean {
  if (options.allowHistoryForClient && (user !== '' || options.allowHistoryForAnonymous)) return true;
  return options.allowHistoryForSubscriber && subscribed;
}

/** Presence, once the channel keeps it: `allowPresenceForClient`, else `allowPresenceForSubscriber` when subscribed. */
export function mayReadPresence(options: ChannelOptions, user: string, subscribed: boolean): boolean {
  if (options.allowPresenceForClient && (user !== '' || options.allowPresenceForAnonymous)) return true;
  return options.allowPresenceForSubscriber && subscribed;
}

/** Names of `override` claims (Centrifugo's snake_case) and the options they replace for one subscriber. */
const OVERRIDABLE: Readonly<Record<string, 'presence' | 'joinLeave' | 'forceRecovery'>> = {
  presence: 'presence',
  join_leave: 'joinLeave',
  force_recovery: 'forceRecovery',
};

/** The options of one subscription: the channel's, with a token's `override` applied. */
export function withOverride(
  options: ChannelOptions,
  override: Readonly<Record<string, boolean>> | undefined,
): ChannelOptions {
  if (override === undefined) return options;
  const out: Record<string, unknown> = { ...options };
  for (const [claim, value] of Object.entries(override)) {
    const key = OVERRIDABLE[claim];
    if (key !== undefined) out[key] = value;
  }
  return out as unknown as ChannelOptions;
}
