/**
 * The PUBACKs of one MQTT connection whose messages are relayed concurrently: each message is
 * acknowledged only once JetStream stored it, and in the order the broker sent them (MQTT requires
 * QoS 1 acknowledgements in order), so one slow publish holds back the acks behind it, never the
 * publishes. A failed relay acknowledges nothing more on this connection: `onFailure` reconnects,
 * and the broker redelivers everything unacknowledged (JetStream drops the copies it already
 * stored, by message id).
 */
export interface OrderedAcks {
  /** A message received on the connection, and its relay (resolves once JetStream stored it). */
  track(messageId: number, relayed: Promise<unknown>): void;
  /** The connection is gone: acks still pending belong to it and are never sent on the next one. */
  reset(): void;
  /** Messages received and not yet acknowledged. */
  readonly pending: number;
}

export function orderedAcks(
  sendAck: (messageId: number) => void,
  onFailure: (error: unknown) => void,
): OrderedAcks {
  let queue: { messageId: number; stored: boolean }[] = [];
  let generation = 0;
  const reset = () => {
    generation += 1;
    queue = [];
  };
  const flush = () => {
    while (queue[0]?.stored) sendAck(queue.shift()!.messageId);
  };
  return {
    track(messageId, relayed) {
      const entry = { messageId, stored: false };
      const current = generation;
      queue.push(entry);
      relayed.then(
        () => {
          if (current !== generation) return;
          entry.stored = true;
          flush();
        },
        (error: unknown) => {
          if (current !== generation) return;
          reset();
          onFailure(error);
        },
      );
    },
    reset,
    get pending() {
      return queue.length;
    },
  };
}
