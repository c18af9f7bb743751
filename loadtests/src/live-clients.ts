/**
 * One process of `bench:live`'s subscription clients (forked by bench-live.ts): opens `--clients`
 * `admin.live.slots` SSE subscriptions with the typed client and times each delivered event against the
 * moment this process saw the same event on NATS, or the api received it if that was earlier (one
 * machine, one clock). The clients live in
 * processes of their own so that the api, not the clients' parsing, is what the benchmark measures.
 *
 * Talks to its parent over IPC: `{ type: 'started', n }` as subscriptions open, then on
 * `{ type: 'window', from, to }` it counts the deliveries it receives between those times (epoch ms:
 * a client process that falls behind may handle its messages in bursts long after they were
 * sent, so a window opened and closed by messages could close before it saw any), and on
 * `{ type: 'report' }` it
 * answers `{ type: 'report', delivered, messages, byApiReceipt, reconnections, failed, histogram }` — latencies as 1 ms buckets,
 * so a million deliveries cross the pipe as a few thousand numbers. Each message is a batch (one hub
 * tick's events); each event in it is a delivery, timed at the message's receipt.
 */
import { parseArgs } from 'node:util';
import { connectNats } from '@powerbank/messaging';
import { createApiClient } from '../../packages/api-client/src/index.ts';
import { LatencyHistogram, StateTimes } from './live-latency.ts';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    clients: { type: 'string' },
    'nats-url': { type: 'string' },
    subject: { type: 'string' },
  },
});
const send = (message: object) => process.send?.(message);

const nats = await connectNats(String(args['nats-url']), 'bench-live-clients');
const onNats = new StateTimes();
nats.subscribe(String(args.subject), {
  callback: (_error, message) => onNats.seen(message.json(), Date.now()),
});

/** The measuring window (epoch ms), sent before any event flows. */
let window = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };
let delivered = 0;
/** Stream messages (one per hub tick with events): `delivered` counts the events in them. */
let messages = 0;
let failed = 0;
let started = 0;
/** Deliveries timed from the api's receipt: this process had not seen them on NATS (yet). */
let byApiReceipt = 0;
const histogram = new LatencyHistogram();
const subscriptions = Array.from({ length: Number(args.clients) }, () =>
  createApiClient({ url: String(args.url), token: String(args.token) }).admin.live.slots.subscribe(
    undefined,
    {
      onStarted: () => {
        started += 1;
        send({ type: 'started', n: started });
      },
      onData: ({ data }) => {
        const at = Date.now();
        if (at < window.from || at >= window.to) return;
        messages += 1;
        for (const event of data.events) {
          // The earliest sign of the event on NATS: this process seeing it there, or the api's
          // receipt (`receivedAt`, the same clock) — on a loaded machine this process's NATS
          // subscription can lag behind its SSE streams, and a state seen again is timed from its
          // latest sighting.
          const seen = onNats.sentAt(event);
          const sent = seen === undefined || event.receivedAt < seen ? event.receivedAt : seen;
          if (sent !== seen) byApiReceipt += 1;
          delivered += 1;
          histogram.add(at - sent);
        }
      },
      onError: () => {
        failed += 1;
      },
    },
  ),
);

process.on('message', (message: { type: string; from?: number; to?: number }) => {
  if (message.type === 'window') window = { from: Number(message.from), to: Number(message.to) };
  if (message.type === 'report') {
    // Starts past one per client: reconnections (a stream dropped, e.g. for not keeping up).
    const reconnections = started - Number(args.clients);
    send({
      type: 'report',
      delivered,
      messages,
      byApiReceipt,
      reconnections,
      failed,
      histogram: histogram.buckets,
    });
    for (const subscription of subscriptions) subscription.unsubscribe();
    void nats.close().finally(() => process.exit(0));
  }
});
