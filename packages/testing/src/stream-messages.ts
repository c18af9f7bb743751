import { randomUUID } from 'node:crypto';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@powerbank/messaging';

export interface StoredMessage {
  subject: string;
  msgId: string | undefined;
  data: unknown;
}

/** Every message a stream holds on `filterSubject`, read by a consumer of its own that is deleted after. */
export async function streamMessages(
  nats: NatsConnection,
  stream: string,
  filterSubject: string,
): Promise<StoredMessage[]> {
  const jsm = await jetstreamManager(nats);
  const name = `c${randomUUID().replaceAll('-', '')}`;
  await jsm.consumers.add(stream, {
    name,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: filterSubject,
  });
  const consumer = await jetstream(nats).consumers.get(stream, name);
  const out: StoredMessage[] = [];
  for await (const m of await consumer.fetch({ max_messages: 1000, expires: 1000 }))
    out.push({ subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), data: m.json() });
  await jsm.consumers.delete(stream, name);
  return out;
}
