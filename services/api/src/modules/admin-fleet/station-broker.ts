import type { ApiEnv } from '@powerbank/config';
import { type BrokerAdmin, openBrokerAdmin } from '@powerbank/messaging';

/**
 * Runs `act` as the broker's dynamic-security admin, or answers null when the api has none
 * (MQTT_ADMIN_PASSWORD unset: a broker that lets stations in anonymously, as in CI). Provisioning
 * is rare: a connection per call, closed after it.
 */
export async function withBrokerAdmin<T>(
  env: ApiEnv,
  act: (admin: BrokerAdmin) => Promise<T>,
): Promise<T | null> {
  if (!env.MQTT_ADMIN_PASSWORD) return null;
  const admin = await openBrokerAdmin(
    env.MQTT_URL,
    { username: env.MQTT_ADMIN_USERNAME, password: env.MQTT_ADMIN_PASSWORD },
    { topicRoot: env.MQTT_TOPIC_ROOT },
  );
  try {
    return await act(admin);
  } finally {
    await admin.close();
  }
}
