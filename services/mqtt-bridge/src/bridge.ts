import { jetstream } from '@nats-io/jetstream';
import type { BridgeEnv } from '@powerbank/config';
import {
  connectMqtt,
  connectNats,
  ensureStream,
  type MqttClient,
  type NatsConnection,
} from '@powerbank/messaging';
import { subjects as subjectsFor, topics } from '@powerbank/protocol';
import type { Logger } from 'pino';
import { relayCommands } from './command-relay.ts';
import type { BridgeMetrics } from './metrics.ts';
import { createRelay, type Rejection } from './relay.ts';

export interface BridgeOptions {
  env: Pick<BridgeEnv, 'MQTT_URL' | 'NATS_URL' | 'NATS_PREFIX' | 'BRIDGE_SHARE_GROUP' | 'MQTT_CLIENT_ID'>;
  logger: Logger;
  metrics: BridgeMetrics;
  onRejected?: (rejection: Rejection) => Promise<void> | void;
}

export interface RunningBridge {
  mqtt: MqttClient;
  nats: NatsConnection;
  stop(options?: { leaveGroup?: boolean }): Promise<void>;
}

/**
 * Starts the MQTT → JetStream relay. The MQTT session is persistent and each
 * PUBACK is sent only after JetStream acknowledged the publish, so a message
 * is never acknowledged on one side before it is safe on the other.
 */
export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { env, logger, metrics } = options;
  const subjects = subjectsFor(env.NATS_PREFIX);
  const nats = await connectNats(env.NATS_URL, 'mqtt-bridge');
  await ensureStream(nats, { name: subjects.stationEventsStream, subjects: [subjects.allStationEvents] });
  const js = jetstream(nats);

  const relay = createRelay({
    subjects,
    metrics,
    logger,
    onRejected: options.onRejected,
    publish: async (subject, payload, msgId) => {
      await js.publish(subject, payload, { msgID: msgId });
    },
  });

  // The client id must survive restarts: the broker keeps the persistent session (and the messages
  // queued for it while the bridge was away) under this id. A new id per start would leave the old
  // session in the shared group, receiving its share of messages that nobody ever reads.
  const clientId = env.MQTT_CLIENT_ID ?? `bridge-${env.BRIDGE_SHARE_GROUP}`;
  const mqtt = await connectMqtt(
    env.MQTT_URL,
    { clientId, clean: false, properties: { sessionExpiryInterval: 3600 } },
    (client) => {
      // mqtt.js sends the PUBACK when `done` is called: only after the relay finished.
      client.handleMessage = (packet, done) => {
        relay(packet.topic, packet.payload as Uint8Array)
          .then(() => done())
          .catch((error: unknown) => {
            logger.error({ err: error, topic: packet.topic }, 'relay failed; message will be redelivered');
            // No PUBACK: reconnecting makes the broker resend the unacknowledged message.
            client.reconnect();
          });
      };
    },
  );
  mqtt.on('reconnect', () => logger.warn('mqtt reconnecting'));
  mqtt.on('error', (error) => logger.error({ err: error }, 'mqtt error'));
  await mqtt.subscribeAsync(topics.allUp(env.BRIDGE_SHARE_GROUP), { qos: 1 });
  const commands = relayCommands({ nats, mqtt, subjects, logger, metrics });
  logger.info(
    { clientId, group: env.BRIDGE_SHARE_GROUP, stream: subjects.stationEventsStream },
    'bridge relaying',
  );

  return {
    mqtt,
    nats,
    async stop({ leaveGroup = false } = {}) {
      commands.stop();
      // By default the session keeps its subscription, so the broker queues messages for this
      // bridge while it restarts. `leaveGroup` (retiring a bridge for good, or a test) stops that.
      if (leaveGroup)
        await mqtt.unsubscribeAsync(topics.allUp(env.BRIDGE_SHARE_GROUP)).catch(() => undefined);
      await mqtt.endAsync();
      await nats.drain();
    },
  };
}
