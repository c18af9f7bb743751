/**
 * One process of `bench:live`'s subscription clients (forked by bench-live.ts): opens `--clients`
 * `admin.live.slots` SSE subscriptions with the typed client and times each delivered event against the
 * moment this process saw the same event on NATS (one machine, one clock). The clients live in
 * processes of their own so that the api, not the clients' parsing, is what the benchmark measures.
 *
 * Talks to its parent over IPC: `{ type: 'started', n }` as subscriptions open, then on
 * `{ type: 'measure', on }` it counts (or stops counting) deliveries, and on `{ type: 'report' }` it
 * answers `{ type: 'report', delivered, messages, received, reconnections, failed, histogram }` — latencies as 1 ms buckets,
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

let measuring = false;
let delivered = 0;
/** Stream messages (one per hub tick with events): `delivered` counts the events in them. */
let messages = 0;
let failed = 0;
let started = 0;
/** Events in the messages received while measuring, timed or not (a state not seen on NATS). */
let received = 0;
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
        if (!measuring) return;
        const at = Date.now();
        messages += 1;
        received += data.events.length;
        for (const event of data.events) {
          const sent = onNats.sentAt(event);
          if (sent === undefined) continue;
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

process.on('message', (message: { type: string; on?: boolean }) => {
  if (message.type === 'measure') measuring = Boolean(message.on);
  if (message.type === 'report') {
    // Starts past one per client: reconnections (a stream dropped, e.g. for not keeping up).
    const reconnections = started - Number(args.clients);
    send({ type: 'report', delivered, messages, received, reconnections, failed, histogram: histogram.buckets });
    for (const subscription of subscriptions) subscription.unsubscribe();
    void nats.close().finally(() => process.exit(0));
  }
});
