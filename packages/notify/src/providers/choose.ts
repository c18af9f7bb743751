import type { Logger } from 'pino';
import { LocalPush, LocalSms } from './local.ts';
import type { PushPort, SmsPort } from './ports.ts';

/** The settings an SMS port is chosen by (packages/config's provider block). */
export interface SmsSettings {
  NODE_ENV: 'development' | 'test' | 'production';
  SMS_PROVIDER: 'local' | 'twilio';
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_FROM?: string;
  TWILIO_API_BASE_URL?: string;
  PROVIDER_TIMEOUT_MS?: number;
}

export interface PushSettings {
  NODE_ENV: 'development' | 'test' | 'production';
  PUSH_PROVIDER: 'local' | 'fcm';
  FCM_SERVICE_ACCOUNT?: string;
  FCM_API_BASE_URL?: string;
  FCM_TOKEN_URL?: string;
  PROVIDER_TIMEOUT_MS?: number;
}

/** Local providers keep what they sent outside production, and log it in development only. */
export const localProviderOptions = (env: { NODE_ENV: string }, logger: Logger) => ({
  keep: env.NODE_ENV !== 'production',
  logger: env.NODE_ENV === 'development' ? logger : null,
});

export function smsPortFor(env: SmsSettings, logger: Logger): SmsPort {
  switch (env.SMS_PROVIDER) {
    case 'local':
      return new LocalSms(localProviderOptions(env, logger));
    case 'twilio':
      throw new Error('twilio: not wired yet');
  }
}

export function pushPortFor(env: PushSettings, logger: Logger): PushPort {
  switch (env.PUSH_PROVIDER) {
    case 'local':
      return new LocalPush(localProviderOptions(env, logger));
    case 'fcm':
      throw new Error('fcm: not wired yet');
  }
}

/** The SMS and push providers the configuration chooses. */
export function providersFor(
  env: SmsSettings & PushSettings,
  logger: Logger,
): { sms: SmsPort; push: PushPort } {
  return { sms: smsPortFor(env, logger), push: pushPortFor(env, logger) };
}
