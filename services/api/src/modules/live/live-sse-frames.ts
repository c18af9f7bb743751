import type { SSEClientOptions } from '@trpc/server/unstable-core-do-not-import';

/**
 * tRPC v11's SSE wire format, as its `sseStreamProducer` writes it (stream/sse.ts), by hand, so a
 * frame can be made once and written to any number of connections: each field `name: value\n` in
 * tRPC's order (event, data, id), then tRPC's `\n\n`. `httpSubscriptionLink` (through an
 * `EventSource`) reads these events: `connected` (the client options), messages (`data` and, for
 * a tracked value, `id`, which the EventSource sends back as Last-Event-ID on reconnecting),
 * `ping`, `return` (the stream ended: the client stops) and `serialized-error`.
 */
function frame(fields: { event?: string; data: string; id?: string }): string {
  const event = fields.event === undefined ? '' : `event: ${fields.event}\n`;
  const id = fields.id === undefined ? '' : `id: ${fields.id}\n`;
  return `${event}data: ${fields.data}\n${id}\n\n`;
}

export const sseFrames = {
  /** The first frame of every stream: the options the client applies (`reconnectAfterInactivityMs`). */
  connected: (client: SSEClientOptions) => frame({ event: 'connected', data: JSON.stringify(client) }),
  /**
   * A `tracked(id, value)` message; `json` is the transformer's serialisation of the value as JSON
   * text. The id must hold no line break or NUL (tRPC's `tracked` refuses those too).
   */
  tracked: (id: string, json: string) => frame({ data: json, id }),
  ping: frame({ event: 'ping', data: '' }),
  return: frame({ event: 'return', data: '' }),
  /** A refusal or failure; `json` is the serialised error shape (what the error formatter made). */
  error: (json: string) => frame({ event: 'serialized-error', data: json }),
};
