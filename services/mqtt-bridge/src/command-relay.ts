import type { MqttClient, NatsConnection } from '@powerbank/messaging';
import { parseDownMessage, type StationTopics, type Subjects } from '@powerbank/protocol';
import type { Logger } from 'pino';
import type { BridgeMetrics } from './metrics.ts';

/**
 * Relays commands from NATS (`station.{sn}.cmd.{kind}`) down to MQTT
 * (`{root}/{sn}/down/{kind}`, QoS 1). Bridges share the subscription as a
 * queue group, so each command goes down once. A request is answered only
 * after the MQTT broker acknowledged the publish, so the sender knows the
 * command is on its way (whether the station did it is its `eject-result`).
 */
export function relayCommands(options: {
  nats: NatsConnection;
  mqtt: MqttClient;
  subjects: Subjects;
  topics: StationTopics;
  logger: Logger;
  metrics: BridgeMetrics;
}): { stop(): void } {
  const { nats, mqtt, subjects, topics, logger, metrics } = options;
  const sub = nats.subscribe(subjects.allStationCommands, {
    queue: 'mqtt-bridge',
    callback: (_err, msg) => {
      const parts = msg.subject.split('.');
      const sn = parts[parts.length - 3]!;
      const kind = parts[parts.length - 1]!;
      const parsed = parseDownMessage(kind, msg.data);
      if (!parsed.ok) {
        metrics.rejected.inc({ reason: `command_${parsed.reason}` });
        logger.warn({ subject: msg.subject, detail: parsed.detail }, 'command rejected');
        if (msg.reply)
          msg.respond(new TextEncoder().encode(JSON.stringify({ ok: false, reason: parsed.reason })));
        return;
      }
      mqtt
        .publishAsync(topics.down(sn, kind), Buffer.from(msg.data), { qos: 1 })
        .then(() => {
          metrics.relayed.inc({ kind: `cmd-${kind}` });
          if (msg.reply) msg.respond(new TextEncoder().encode('{"ok":true}'));
        })
        .catch((error: unknown) =>
          logger.error({ err: error, subject: msg.subject }, 'command not published'),
        );
    },
  });
  return { stop: () => sub.unsubscribe() };
}
