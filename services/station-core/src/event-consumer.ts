import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { upMessageToEvent } from '@powerbank/machines';
import { failoverConsumeOptions, type NatsConnection } from '@powerbank/messaging';
import { parseUpMessage, type Subjects } from '@powerbank/protocol';
import type { Logger } from 'pino';
import type { CoreMetrics } from './metrics.ts';
import { type StationHost, UnknownStationError } from './station-host.ts';
import { RefusedWriteError, type StationStore } from './station-store.ts';

export interface ConsumerOptions {
  nats: NatsConnection;
  subjects: Subjects;
  host: StationHost;
  store: Pick<StationStore, 'logMessage'>;
  metrics: CoreMetrics;
  logger: Logger;
  durableName: string;
  /** The events this consumer takes: one partition's (`subjects.partitionEvents`). */
  filterSubject: string;
  /** Deliveries of one event before it is dead-lettered (JetStream's max_deliver for the consumer). */
  maxDeliver: number;
  /** An event delivered and not acknowledged this long is delivered again. */
  ackWaitMs?: number;
  onProcessed?: (msg: { sn: string; kind: string; receivedAt: number; msgId: string; ts: number }) => void;
}

/** Wait before the next delivery of a failed event: 1 s, doubling, at most a minute. */
export function redeliveryDelayMs(deliveryCount: number): number {
  return Math.min(1000 * 2 ** Math.max(0, deliveryCount - 1), 60_000);
}

/** `…station.{partition}.{sn}.evt.{kind}` → its serial and kind. */
function route(subject: string): { sn: string; kind: string } | undefined {
  const parts = subject.split('.');
  const n = parts.length;
  if (n < 5 || parts[n - 2] !== 'evt' || parts[n - 5] !== 'station') return undefined;
  return { sn: parts[n - 3]!, kind: parts[n - 1]! };
}

/**
 * Consumes station events with a durable consumer. Messages of different
 * stations are handled concurrently; those of one station in order (its
 * actor's mailbox). A message is acked only once the transition it caused is
 * committed; a failed write naks it so JetStream delivers it again, later each
 * time, up to `maxDeliver` times. An event whose data the database refuses, or
 * whose deliveries ran out, is dead-lettered; one from an unregistered serial is refused.
 */
export async function consumeStationEvents(options: ConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const { nats, subjects, host, store, metrics, logger, maxDeliver } = options;
  const jsm = await jetstreamManager(nats);
  const config = {
    durable_name: options.durableName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    max_ack_pending: 50_000,
    ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
    // Bounded: an event that keeps failing is dead-lettered on its last delivery (see `failed`),
    // instead of coming back every second for ever.
    max_deliver: maxDeliver,
  };
  const existing = await jsm.consumers
    .info(subjects.stationEventsStream, options.durableName)
    .catch(() => null);
  if (existing && existing.config.filter_subject !== config.filter_subject) {
    // Made for subjects without partitions (an older version): the server cannot change a durable's
    // filter, and what it held is under subjects nobody publishes to any more (drained first, see
    // infra/scaling.md).
    await jsm.consumers.delete(subjects.stationEventsStream, options.durableName);
    await jsm.consumers.add(subjects.stationEventsStream, config);
  } else if (existing) {
    // A durable made by an older version (unbounded deliveries, another ack wait) takes the settings on.
    if (existing.config.max_deliver !== maxDeliver || existing.config.ack_wait !== config.ack_wait)
      await jsm.consumers.update(subjects.stationEventsStream, options.durableName, {
        max_deliver: maxDeliver,
        ack_wait: config.ack_wait,
      });
  } else {
    await jsm.consumers.add(subjects.stationEventsStream, config);
  }
  const consumer = await jetstream(nats).consumers.get(subjects.stationEventsStream, options.durableName);
  // Short pull expiry and heartbeats: after a cluster node dies the pull resumes in seconds, not a minute.
  const messages = await consumer.consume({ max_messages: 2000, ...failoverConsumeOptions });

  /** Aborted by `stop`: a dead letter still being retried gives up then. */
  const stopping = new AbortController();

  /** Gives up on an event: a SystemLog row with its payload, a metric, and no further delivery. */
  const deadLetter = async (
    m: JsMsg,
    where: { sn: string; kind: string },
    reason: string,
    error: unknown,
  ) => {
    const deliveries = m.info.deliveryCount;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await store.logMessage({
          level: 'error',
          message: `station event dead-lettered: ${reason}`,
          context: {
            ...where,
            subject: m.subject,
            reason,
            deliveries,
            error: String((error as Error).message ?? error),
          },
          rawPayload: m.data,
        });
        break;
      } catch (logError) {
        // Not recorded: keep it in JetStream rather than lose it silently.
        if (deliveries < maxDeliver) {
          logger.error(
            { err: logError, ...where },
            'could not dead-letter an event; it will be delivered again',
          );
          m.nak(redeliveryDelayMs(deliveries));
          return;
        }
        // Its last delivery: JetStream would not deliver it again, so the record is retried here.
        logger.error({ err: logError, ...where, attempt }, 'could not dead-letter an event; trying again');
        const waited = await sleep(redeliveryDelayMs(attempt), true, { signal: stopping.signal }).catch(
          () => false,
        );
        if (!waited) {
          logger.error(
            { ...where, payload: Buffer.from(m.data).toString('utf8') },
            'stopped before an event could be dead-lettered',
          );
          return;
        }
      }
    }
    metrics.deadLettered.inc({ kind: where.kind, reason });
    logger.error({ err: error, ...where, deliveries, reason }, 'station event dead-lettered');
    m.term();
  };

  /** Refuses an event from a serial nobody registered: counted, logged in SystemLog, never applied. */
  const refuseUnknown = async (m: JsMsg, where: { sn: string; kind: string }) => {
    metrics.refused.inc({ reason: 'unknown_station' });
    logger.warn(where, 'event from an unregistered station refused');
    m.term();
    await store
      .logMessage({
        level: 'warn',
        message: 'station event refused: unregistered station',
        context: { ...where, subject: m.subject },
        rawPayload: m.data,
      })
      .catch((error: unknown) => logger.error({ err: error, ...where }, 'could not log a refused event'));
  };

  const failed = (m: JsMsg, where: { sn: string; kind: string }, error: unknown) => {
    if (error instanceof UnknownStationError) return refuseUnknown(m, where);
    // The database refuses this event's data: no later delivery can succeed.
    if (error instanceof RefusedWriteError) return deadLetter(m, where, 'refused', error);
    if (m.info.deliveryCount >= maxDeliver) return deadLetter(m, where, 'deliveries_exhausted', error);
    metrics.redelivered.inc({ kind: where.kind });
    logger.error({ err: error, ...where }, 'event not persisted; will be redelivered');
    m.nak(redeliveryDelayMs(m.info.deliveryCount));
  };

  /** Events taken and not yet acknowledged (or handed back): `stop` waits for them. */
  const inHand = new Set<Promise<void>>();

  const handle = (m: JsMsg) => {
    // Stopping (the partition goes to another instance): what is still buffered here goes back now,
    // instead of waiting out the ack wait.
    if (stopping.signal.aborted) {
      m.nak();
      return;
    }
    const where = route(m.subject);
    const parsed = where ? parseUpMessage(where.kind, m.data) : undefined;
    if (!where || !parsed?.ok) {
      // The bridge only relays valid messages; anything else here is not ours to retry.
      metrics.refused.inc({ reason: 'invalid' });
      logger.warn(
        { subject: m.subject, detail: parsed && !parsed.ok ? parsed.detail : 'bad subject' },
        'dropping event',
      );
      m.term();
      return;
    }
    const receivedAt = Math.floor(m.info.timestampNanos / 1_000_000);
    const handling = host.send(where.sn, upMessageToEvent(parsed.message, receivedAt)).then(
      () => {
        m.ack();
        metrics.processed.inc({ kind: where.kind });
        options.onProcessed?.({
          sn: where.sn,
          kind: where.kind,
          receivedAt,
          msgId: parsed.message.msgId,
          ts: parsed.message.ts,
        });
      },
      (error: unknown) => failed(m, where, error),
    );
    inHand.add(handling);
    void handling.finally(() => inHand.delete(handling));
  };

  const loop = (async () => {
    for await (const m of messages) handle(m);
  })();

  return {
    async stop() {
      stopping.abort();
      await messages.close();
      await loop.catch(() => undefined);
      // Everything taken is acknowledged, refused or handed back before the partition changes hands.
      while (inHand.size > 0) await Promise.allSettled([...inHand]);
      await nats.flush().catch(() => undefined);
    },
  };
}
