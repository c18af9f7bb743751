import type { NotificationPreferences } from '@powerbank/db';

export type OutsideChannel = 'push' | 'sms';

/** A NotificationRule as the worker reads it. */
export interface RuleChannels {
  channels: readonly string[];
  mandatory: boolean;
}

export interface ChannelDecision {
  channel: OutsideChannel;
  /** False when the user's preferences keep this notice off the channel. */
  send: boolean;
}

/**
 * The push/SMS channels a notice of `code` goes out on: those its rule names (none without a
 * rule: in-app only), each kept unless the user switched the channel off or muted the code — which
 * a mandatory rule overrides (sign-in codes, overdue and lost-bank alerts).
 */
export function outsideChannels(
  code: string,
  rule: RuleChannels | undefined,
  preferences: NotificationPreferences | null | undefined,
): ChannelDecision[] {
  if (!rule) return [];
  const muted = preferences?.muted?.includes(code) ?? false;
  return (['push', 'sms'] as const)
    .filter((channel) => rule.channels.includes(channel))
    .map((channel) => ({
      channel,
      send: rule.mandatory || (!muted && preferences?.[channel] !== false),
    }));
}
