import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { FcmPush, type FcmSettings } from './fcm-push.ts';
import { LocalPush, LocalSms } from './local.ts';
import type { PushPort, SmsPort } from './ports.ts';
import { TwilioSms } from './twilio-sms.ts';

/** The settings an SMS port is chosen by (packages/config's provider block). */
export interface SmsSettings {
  NODE_ENV: 'development' | 'test' | 'production';
  /** `loadtest` is `local` to the sender (the api adds the load-test code route). */
  SMS_PROVIDER: 'local' | 'twilio' | 'loadtest';
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
    case 'loadtest':
      return new LocalSms(localProviderOptions(env, logger));
    case 'twilio': {
      const { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM } = env;
      if (!TWILIO_ACCOUNT_SID || !TWILIO_AUTH_TOKEN || !TWILIO_FROM) {
        throw new Error('SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM');
      }
      return new TwilioSms({
        accountSid: TWILIO_ACCOUNT_SID,
        authToken: TWILIO_AUTH_TOKEN,
        from: TWILIO_FROM,
        baseUrl: env.TWILIO_API_BASE_URL,
        timeoutMs: env.PROVIDER_TIMEOUT_MS ?? 10_000,
      });
    }
  }
}

export function pushPortFor(env: PushSettings, logger: Logger): PushPort {
  switch (env.PUSH_PROVIDER) {
    case 'local':
      return new LocalPush(localProviderOptions(env, logger));
    case 'fcm': {
      if (!env.FCM_SERVICE_ACCOUNT) throw new Error('PUSH_PROVIDER=fcm needs FCM_SERVICE_ACCOUNT');
      return new FcmPush({
        serviceAccount: serviceAccountOf(env.FCM_SERVICE_ACCOUNT),
        baseUrl: env.FCM_API_BASE_URL,
      });
    }
  }
}

/** The SMS and push providers the configuration chooses. */
export function providersFor(
  env: SmsSettings & PushSettings,
  logger: Logger,
): { sms: SmsPort; push: PushPort } {
  return { sms: smsPortFor(env, logger), push: pushPortFor(env, logger) };
}

/** FCM_SERVICE_ACCOUNT: the service account's JSON itself, or the path of its file. */
function serviceAccountOf(value: string): FcmSettings['serviceAccount'] {
  const json = value.trim().startsWith('{') ? value : readFileSync(value, 'utf8');
  return JSON.parse(json) as FcmSettings['serviceAccount'];
}
