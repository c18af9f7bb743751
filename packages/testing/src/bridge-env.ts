import { type BridgeEnv, bridgeEnv, parseConfig } from '@powerbank/config';

/**
 * An mqtt-bridge's settings for one test file: its NATS prefix, shared-subscription
 * group, client id and MQTT topic root are all `prefix`, so no two files (nor a
 * dev stack on the same brokers) hear each other's stations or streams.
 */
export function testBridgeEnv(prefix: string): BridgeEnv {
  return parseConfig(bridgeEnv, {
    ...process.env,
    NATS_PREFIX: prefix,
    BRIDGE_SHARE_GROUP: prefix,
    MQTT_CLIENT_ID: `${prefix}-bridge`,
    MQTT_TOPIC_ROOT: prefix,
  });
}
