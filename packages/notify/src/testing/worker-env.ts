import type { FakeFcm } from './fake-fcm.ts';
import type { FakeTwilio } from './fake-twilio.ts';

/**
 * The environment of a worker process (services/worker, spawned by a test) whose providers are the
 * fake Twilio and FCM servers: a long provider timeout, so a hung send stays in flight until the
 * test kills the worker, and a short lease, so the next worker finds the claim at once.
 */
export function fakeProvidersWorkerEnv(twilio: FakeTwilio, fcm: FakeFcm): Record<string, string> {
  return {
    SMS_PROVIDER: 'twilio',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: '+15550006666',
    TWILIO_API_BASE_URL: twilio.url,
    PUSH_PROVIDER: 'fcm',
    FCM_SERVICE_ACCOUNT: JSON.stringify(fcm.serviceAccount),
    FCM_API_BASE_URL: fcm.url,
    PROVIDER_TIMEOUT_MS: '60000',
    NOTIFY_LEASE_MS: '1500',
    NOTIFY_POLL_MS: '50',
    NOTIFY_RETRY_BASE_MS: '100',
  };
}
