/**
 * `pnpm bench:live-client`: what a live slots message costs the typed client, in one process with
 * nothing else (no api, no pipeline): `--clients` subscriptions of `createApiClient` to
 * `admin.live.slots`, whose fetch answers with an SSE stream this process writes — the messages
 * the api sends, one tick's `--events` slot events each (one slot changed per event, 12 slots a
 * station), in both encodings: `whole` (each event with all its slots as objects, the wire form
 * before the compact one) and `compact` (`SlotsWire`: the changed slots only, after a reset).
 * The whole client path runs: `eventsource` over the fetch body, tRPC's SSE consumer, superjson,
 * the live link's decoder, `onData`. Prints CPU per message and per event for each, then ONE JSON
 * line. Load on the machine inflates both alike; compare them, not runs of different days.
 *
 *   pnpm bench:live-client [--clients 200] [--messages 200] [--events 20] [--stations 200] [--only compact]
 */
import { parseArgs } from 'node:util';
import {
  LIVE_BATCH,
  LiveBatch,
  type LiveSlot,
  type SlotsWire,
  slotsChange,
  slotsEntry,
} from '@powerbank/protocol/live-batch';
import { createApiClient } from '../../packages/api-client/src/index.ts';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    messages: { type: 'string', default: '200' },
    events: { type: 'string', default: '20' },
    stations: { type: 'string', default: '200' },
    /** One encoding only (to profile it): `whole` or `compact`. */
    only: { type: 'string' },
  },
});
const clientCount = Number(args.clients);
const messageCount = Number(args.messages);
const eventsPerMessage = Number(args.events);
const stationCount = Number(args.stations);

// ---- the messages, as the api writes them ------------------------------------------------------
const stations = Array.from({ length: stationCount }, (_, i) => {
  const sn = `LV${String(i).padStart(6, '0')}-${String(i + 1).padStart(4, '0')}`;
  const slots: LiveSlot[] = Array.from({ length: 12 }, (_, s) => ({
    slot: s + 1,
    state: s % 2 ? 'empty' : 'ready',
    powerBankSerial: s % 2 ? null : `${sn}-PB${s + 1}`,
    battery: s % 2 ? null : 90,
  }));
  return { sn, slots };
});
/** An SSE message as the api writes it (superjson's form of a batch: its text as a string). */
const frame = (batch: LiveBatch<unknown>, id: number) =>
  `id: boot:${id}\ndata: {"json":${JSON.stringify(batch.json)},"meta":{"values":[["custom","${LIVE_BATCH}"]],"v":1}}\n\n`;
const reset: SlotsWire = {
  slots: stations.map(({ sn, slots }) => slotsEntry(sn, 1, slotsChange(slots, undefined)!)),
  reset: true,
};
const streams = { whole: [] as string[], compact: [frame(new LiveBatch(undefined, reset), 0)] };
let tick = 0;
for (let m = 1; m <= messageCount; m++) {
  const whole: unknown[] = [];
  const compact: SlotsWire = { slots: [] };
  for (let e = 0; e < eventsPerMessage; e++) {
    const station = stations[(m * 31 + e) % stationCount]!;
    const at = (tick++ % 12) + 1;
    const previous = station.slots;
    station.slots = previous.map((slot) =>
      slot.slot !== at
        ? slot
        : slot.powerBankSerial
          ? { slot: at, state: 'empty', powerBankSerial: null, battery: null }
          : { slot: at, state: 'charging', powerBankSerial: `${station.sn}-L${m}-${at}`, battery: 60 },
    );
    const receivedAt = Date.now();
    whole.push({ sn: station.sn, slots: station.slots, receivedAt });
    compact.slots.push(slotsEntry(station.sn, receivedAt, slotsChange(station.slots, previous)!));
  }
  streams.whole.push(frame(new LiveBatch(whole), m));
  streams.compact.push(frame(new LiveBatch(undefined, compact), m));
}

// ---- the clients, each on a stream of its own ----------------------------------------------------
const encoder = new TextEncoder();
const CONNECTED = 'event: connected\ndata: {"reconnectAfterInactivityMs":40000}\n\n';

async function run(encoding: keyof typeof streams) {
  const frames = streams[encoding].map((text) => encoder.encode(text));
  const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
  const fetch = async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(CONNECTED));
          controllers.push(controller);
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  let events = 0;
  let messages = 0;
  const subscriptions = Array.from({ length: clientCount }, () =>
    createApiClient({ url: 'http://live.bench', fetch }).admin.live.slots.subscribe(undefined, {
      onData: ({ data }) => {
        messages += 1;
        events += data.events.length;
      },
    }),
  );
  while (controllers.length < clientCount) await new Promise((r) => setTimeout(r, 10));
  const expected = clientCount * messageCount;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const bytes of frames) {
    for (const controller of controllers) controller.enqueue(bytes);
    // One tick's message at a time, as they come.
    await new Promise((r) => setImmediate(r));
  }
  // Bounded: a client that reconnected (its stream restarted) would never get them all.
  const deadline = Date.now() + 60_000;
  while (messages < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  if (messages < expected) throw new Error(`${encoding}: ${messages} of ${expected} messages in 60 s`);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - started;
  for (const subscription of subscriptions) subscription.unsubscribe();
  const cpuUs = cpu.user + cpu.system;
  return {
    us_per_message: Math.round((cpuUs / messages) * 10) / 10,
    us_per_event: Math.round((cpuUs / events) * 100) / 100,
    bytes_per_event: Math.round(
      frames.slice(-messageCount).reduce((n, f) => n + f.length, 0) / (messageCount * eventsPerMessage),
    ),
    events_per_s: Math.round(events / (wallMs / 1000)),
    wall_ms: Math.round(wallMs),
  };
}

// Alternately, twice each: the second of each is what counts (the first warms the JIT).
const results: Record<string, Awaited<ReturnType<typeof run>>> = {};
for (const round of [1, 2]) {
  for (const encoding of (['whole', 'compact'] as const).filter((e) => !args.only || e === args.only)) {
    const result = await run(encoding);
    if (round === 2) results[encoding] = result;
    console.error(`[bench:live-client] round ${round} ${encoding}: ${JSON.stringify(result)}`);
  }
}
const figures = {
  bench: 'live-client',
  clients: clientCount,
  messages: messageCount,
  events_per_message: eventsPerMessage,
  whole_us_per_message: results.whole?.us_per_message ?? null,
  whole_us_per_event: results.whole?.us_per_event ?? null,
  whole_bytes_per_event: results.whole?.bytes_per_event ?? null,
  compact_us_per_message: results.compact?.us_per_message ?? null,
  compact_us_per_event: results.compact?.us_per_event ?? null,
  compact_bytes_per_event: results.compact?.bytes_per_event ?? null,
};
console.log(JSON.stringify(figures));
process.exit(0);
