import { AckPolicy, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { upMessageToEvent } from '@powerbank/machines';
import type { NatsConnection } from '@powerbank/messaging';
import { parseUpMessage, type Subjects } from '@powerbank/protocol';
import type { Logger } from 'pino';
import type { StationHost } from './station-host.ts';

export interface ConsumerOptions {
  nats: NatsConnection;
  subjects: Subjects;
  host: StationHost;
  logger: Logger;
  durableName: string;
  onProcessed?: (msg: { sn: string; kind: string; receivedAt: number; msgId: string; ts: number }) => void;
}

/** `…station.{sn}.evt.{kind}` → its serial and kind. */
function route(subject: string): { sn: string; kind: string } | undefined {
  const parts = subject.split('.');
  const n = parts.length;
  if (n < 4 || parts[n - 2] !== 'evt' || parts[n - 4] !== 'station') return undefined;
  return { sn: parts[n - 3]!, kind: parts[n - 1]! };
}

/**
 * Consumes station events with a durable consumer. Messages of different
 * stations are handled concurrently; those of one station in order (its
 * actor's mailbox). A message is acked only once the transition it caused is
 * committed; a failed write naks it so JetStream delivers it again.
 */
export async function consumeStationEvents(options: ConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const { nats, subjects, host, logger } = options;
  const jsm = await jetstreamManager(nats);
  await jsm.consumers.add(subjects.stationEventsStream, {
    durable_name: options.durableName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: subjects.allStationEvents,
    max_ack_pending: 50_000,
    ack_wait: 30_000_000_000,
    max_deliver: -1,
  });
  const consumer = await jetstream(nats).consumers.get(subjects.stationEventsStream, options.durableName);
  const messages = await consumer.consume({ max_messages: 2000 });

  const handle = (m: JsMsg) => {
    const where = route(m.subject);
    const parsed = where ? parseUpMessage(where.kind, m.data) : undefined;
    if (!where || !parsed?.ok) {
      // The bridge only relays valid messages; anything else here is not ours to retry.
      logger.warn(
        { subject: m.subject, detail: parsed && !parsed.ok ? parsed.detail : 'bad subject' },
        'dropping event',
      );
      m.term();
      return;
    }
    const receivedAt = Math.floor(m.info.timestampNanos / 1_000_000);
    host.send(where.sn, upMessageToEvent(parsed.message, receivedAt)).then(
      () => {
        m.ack();
        options.onProcessed?.({
          sn: where.sn,
          kind: where.kind,
          receivedAt,
          msgId: parsed.message.msgId,
          ts: parsed.message.ts,
        });
      },
      (error: unknown) => {
        logger.error(
          { err: error, sn: where.sn, kind: where.kind },
          'event not persisted; will be redelivered',
        );
        m.nak(1000);
      },
    );
  };

  const loop = (async () => {
    for await (const m of messages) handle(m);
  })();

  return {
    async stop() {
      await messages.close();
      await loop.catch(() => undefined);
    },
  };
}
