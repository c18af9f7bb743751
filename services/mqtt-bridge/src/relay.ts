import { parseUpMessage, type StationTopics, type Subjects } from '@powerbank/protocol';
import type { Logger } from 'pino';
import type { BridgeMetrics } from './metrics.ts';

/** Publishes to JetStream and resolves only once the stream has stored the message. */
export type PublishToStream = (subject: string, payload: Uint8Array, msgId: string) => Promise<void>;

export interface Rejection {
  topic: string;
  reason: string;
  detail: string;
  payload: Uint8Array;
}

export interface RelayDeps {
  subjects: Subjects;
  topics: StationTopics;
  publish: PublishToStream;
  metrics: BridgeMetrics;
  logger: Logger;
  /** Where rejected messages are recorded with their raw payload (SystemLog in production). */
  onRejected?: (rejection: Rejection) => Promise<void> | void;
}

export type RelayOutcome = 'relayed' | 'rejected';

/**
 * Validates one MQTT message and relays it to `station.{sn}.evt.{kind}` with
 * its message id as the de-duplication id. Bad input is counted and recorded,
 * never thrown: one broken station must not stop the bridge. A failed publish
 * does throw, so the caller withholds the MQTT ack and the broker redelivers.
 */
export function createRelay(deps: RelayDeps) {
  const reject = async (rejection: Rejection): Promise<RelayOutcome> => {
    deps.metrics.rejected.inc({ reason: rejection.reason });
    deps.logger.warn(
      { topic: rejection.topic, reason: rejection.reason, detail: rejection.detail },
      'message rejected',
    );
    try {
      await deps.onRejected?.(rejection);
    } catch (error) {
      deps.logger.error({ err: error }, 'could not record rejected message');
    }
    return 'rejected';
  };

  return async function relay(topic: string, payload: Uint8Array): Promise<RelayOutcome> {
    const route = deps.topics.parseUp(topic);
    if (!route)
      return reject({
        topic,
        reason: 'bad_topic',
        detail: `not ${deps.topics.root}/{sn}/up/{kind}`,
        payload,
      });
    const parsed = parseUpMessage(route.kind, payload);
    if (!parsed.ok) return reject({ topic, reason: parsed.reason, detail: parsed.detail, payload });
    await deps.publish(deps.subjects.stationEvent(route.sn, route.kind), payload, parsed.message.msgId);
    deps.metrics.relayed.inc({ kind: route.kind });
    return 'relayed';
  };
}
