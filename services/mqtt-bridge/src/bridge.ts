import { jetstream } from '@nats-io/jetstream';
import type { BridgeEnv } from '@powerbank/config';
import {
  connectMqtt,
  connectNats,
  ensureStream,
  type MqttClient,
  mqttCredentials,
  type NatsConnection,
} from '@powerbank/messaging';
import { stationTopics, subjects as subjectsFor } from '@powerbank/protocol';
import type { Logger } from 'pino';
import { relayCommands } from './command-relay.ts';
import type { BridgeMetrics } from './metrics.ts';
import { orderedAcks } from './ordered-acks.ts';
import { createRelay, type Rejection } from './relay.ts';

/**
 * Unacknowledged messages the broker may have in flight to one bridge connection (MQTT 5 Receive
 * Maximum): the bridge's backpressure. Past it the broker queues in the session, so a bridge
 * that cannot keep up with JetStream holds at most this many per connection in memory.
 */
const RECEIVE_MAXIMUM = 256;

/** Given to mqtt.js's `done`: it then sends no PUBACK (orderedAcks does, later) and moves on. */
const ACK_DEFERRED = new Error('PUBACK deferred until JetStream stored the message');

/** mqtt.js's own packet writer (not public API; the same call its handler makes for a PUBACK). */
function sendPacket(client: MqttClient, packet: { cmd: 'puback'; messageId: number }): void {
  (client as unknown as { _sendPacket(packet: object, cb: () => void): void })._sendPacket(
    packet,
    () => undefined,
  );
}

export interface BridgeOptions {
  env: Pick<
    BridgeEnv,
    | 'MQTT_URL'
    | 'MQTT_TOPIC_ROOT'
    | 'NATS_URL'
    | 'NATS_PREFIX'
    | 'BRIDGE_SHARE_GROUP'
    | 'MQTT_CLIENT_ID'
    | 'BRIDGE_CONNECTIONS'
    | 'MQTT_USERNAME'
    | 'MQTT_PASSWORD'
  > &
    Partial<Pick<BridgeEnv, 'CORE_PARTITIONS'>>;
  logger: Logger;
  metrics: BridgeMetrics;
  onRejected?: (rejection: Rejection) => Promise<void> | void;
}

export interface RunningBridge {
  /** The connection commands go down on (subscribed to nothing). */
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
  const subjects = subjectsFor(env.NATS_PREFIX, env.CORE_PARTITIONS ?? 1);
  const topics = stationTopics(env.MQTT_TOPIC_ROOT);
  const nats = await connectNats(env.NATS_URL, 'mqtt-bridge');
  await ensureStream(nats, { name: subjects.stationEventsStream, subjects: [subjects.allStationEvents] });
  const js = jetstream(nats);

  const relay = createRelay({
    subjects,
    topics,
    metrics,
    logger,
    onRejected: options.onRejected,
    publish: async (subject, payload, msgId) => {
      await js.publish(subject, payload, { msgID: msgId });
    },
  });

  // Client ids must survive restarts: the broker keeps each persistent session (and the messages
  // queued for it while the bridge was away) under its id. A new id per start would leave the old
  // session in the shared group, receiving its share of messages that nobody ever reads.
  const baseId = env.MQTT_CLIENT_ID ?? `bridge-${env.BRIDGE_SHARE_GROUP}`;
  const credentials = mqttCredentials(env);
  const connect = (clientId: string) =>
    connectMqtt(
      env.MQTT_URL,
      {
        ...credentials,
        clientId,
        clean: false,
        properties: { sessionExpiryInterval: 3600, receiveMaximum: RECEIVE_MAXIMUM },
      },
      (client) => {
        // Many messages in flight per connection (up to RECEIVE_MAXIMUM, which the broker honours):
        // each is published to JetStream as it arrives — on one NATS connection, so in arrival
        // order — and acknowledged to the broker only once JetStream stored it, in order.
        // mqtt.js would handle one message at a time and PUBACK it when `done` is called; calling
        // `done` with an error makes it send no PUBACK and go on to the next packet at once, and the
        // PUBACK is sent here when its turn comes.
        const acks = orderedAcks(
          (messageId) => sendPacket(client, { cmd: 'puback', messageId }),
          (error) => {
            logger.error(
              { err: error, clientId: client.options.clientId },
              'relay failed; messages will be redelivered',
            );
            // No PUBACK: reconnecting makes the broker resend every unacknowledged message.
            client.reconnect();
          },
        );
        client.on('close', () => acks.reset());
        client.handleMessage = (packet, done) => {
          const relayed = relay(packet.topic, packet.payload as Uint8Array);
          if (packet.qos === 0 || packet.messageId === undefined) {
            // Nothing to acknowledge; a failure is logged by the relay's caller only.
            relayed.then(
              () => done(),
              (error: unknown) => done(error as Error),
            );
            return;
          }
          acks.track(packet.messageId, relayed);
          done(ACK_DEFERRED);
        };
      },
    );
  const clients: MqttClient[] = [];
  for (let i = 0; i < env.BRIDGE_CONNECTIONS; i++) {
    const client = await connect(i === 0 ? baseId : `${baseId}-${i}`);
    client.on('reconnect', () => logger.warn({ clientId: client.options.clientId }, 'mqtt reconnecting'));
    client.on('error', (error) => logger.error({ err: error }, 'mqtt error'));
    // rh 2: no retained messages on subscribe. Brokers keep every station's last status retained;
    // replaying thousands of them to each new bridge would stall it, and an offline station is
    // caught by the heartbeat watchdog anyway.
    await client.subscribeAsync(topics.allUp(env.BRIDGE_SHARE_GROUP), { qos: 1, rh: 2 });
    clients.push(client);
  }
  // Commands go out on a connection of their own, subscribed to nothing. On a subscribing
  // connection, the broker's PUBACK for a command is data the bridge's kernel acknowledges late
  // (delayed ACK: it has nothing to send back), and a broker with Nagle's algorithm on — Mosquitto's
  // default, `set_tcp_nodelay false` — holds the next station event for that connection until the
  // ACK comes: up to ~40 ms on an eject result, measured at p99 44 ms from station to JetStream.
  const mqtt = await connectMqtt(env.MQTT_URL, {
    ...credentials,
    clientId: `${baseId}-commands`,
    clean: true,
  });
  mqtt.on('reconnect', () => logger.warn({ clientId: mqtt.options.clientId }, 'mqtt reconnecting'));
  mqtt.on('error', (error) => logger.error({ err: error }, 'mqtt error (commands)'));
  const commands = relayCommands({ nats, mqtt, subjects, topics, logger, metrics });
  logger.info(
    {
      clientId: baseId,
      connections: clients.length,
      group: env.BRIDGE_SHARE_GROUP,
      topicRoot: topics.root,
      stream: subjects.stationEventsStream,
    },
    'bridge relaying',
  );

  return {
    mqtt,
    nats,
    async stop({ leaveGroup = false } = {}) {
      commands.stop();
      // By default the session keeps its subscription, so the broker queues messages for this
      // bridge while it restarts. `leaveGroup` (retiring a bridge for good, or a test) stops that.
      for (const client of clients) {
        if (leaveGroup)
          await client.unsubscribeAsync(topics.allUp(env.BRIDGE_SHARE_GROUP)).catch(() => undefined);
        await client.endAsync();
      }
      await mqtt.endAsync();
      await nats.drain();
    },
  };
}
