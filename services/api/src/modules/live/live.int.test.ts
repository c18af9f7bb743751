import { subjects } from '@powerbank/protocol';
import { LiveSlotsDecoder, liveBatchTransform, type SlotsWire } from '@powerbank/protocol/live-batch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, LiveBatch } from '../../../../../packages/api-client/src/index.ts';
import type { CoreHarness } from '../../../../station-core/src/testing/core-harness.ts';
import { setAppConfig, signUp, signUpAdmin } from '../../testing/auth-helpers.ts';
import { startRentalStack } from '../../testing/rental-stack.ts';
import { aStation } from '../../testing/stations.ts';
import type { TestApi } from '../../testing/test-app.ts';
import { type HubBatch, LiveHub, SlowClientError } from './live-hub.ts';

const poll = { timeout: 10_000, interval: 50 };
let h: CoreHarness;
let api: TestApi;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ h, api, close } = await startRentalStack());
  await setAppConfig(api, { otp_sends_per_ip_hour: 100_000 });
}, 60_000);
afterAll(() => close());

/** The NATS subscriptions the api's own connection holds (nats.js keeps them by sid). */
const natsSubscriptionsOfApi = () =>
  (
    api.deps.nats as unknown as { protocol: { subscriptions: { size(): number } } }
  ).protocol.subscriptions.size();

type Received = { sn: string; status?: string; slots?: unknown[] };

/** A signed-in console following one live stream of one station, through the typed client over SSE. */
function follow(token: string, stream: 'stationStatus' | 'slots', sn: string) {
  const client = createApiClient({ url: 'http://api.test', fetch: api.fetch, token });
  const events: Received[] = [];
  const batches: LiveBatch<unknown>[] = [];
  let error: { data?: { code?: string } } | undefined;
  let started = false;
  // Started: the SSE stream is open (for a refused caller too: the refusal comes as its first event).
  // One signature for both streams (their outputs differ; the test reads `sn`, `status`, `slots`).
  const procedure = client.admin.live[stream] as typeof client.admin.live.stationStatus;
  const subscription = procedure.subscribe(
    { sn },
    {
      onStarted: () => {
        started = true;
      },
      onData: ({ data }) => {
        batches.push(data);
        events.push(...(data.events as readonly Received[]));
      },
      onError: (cause: unknown) => {
        error = cause as typeof error;
      },
    },
  );
  return {
    events,
    batches,
    started: () => started,
    error: () => error,
    stop: () => subscription.unsubscribe(),
  };
}

describe('admin.live: core events pushed to consoles over SSE, from one NATS subscription per api', () => {
  it('a station going offline reaches two subscribed clients, who add no NATS subscription', async () => {
    const admin = await signUpAdmin(api, 'operations');
    const { sn, sim } = await aStation(h, [{ slot: 1, battery: 90 }]);
    const before = natsSubscriptionsOfApi();
    const first = follow(admin.token, 'stationStatus', sn);
    const second = follow(admin.token, 'stationStatus', sn);
    await expect.poll(() => first.started() && second.started(), poll).toBe(true);
    expect(natsSubscriptionsOfApi()).toBe(before);

    await sim.goOffline(sn);
    for (const client of [first, second]) {
      await expect.poll(() => client.events.map((event) => event.status), poll).toContain('offline');
      expect(client.events.every((event) => event.sn === sn)).toBe(true);
      expect(client.batches.every((batch) => batch instanceof LiveBatch)).toBe(true);
    }
    first.stop();
    second.stop();
  });

  it('slot changes reach a client: a power bank returned into an empty slot', async () => {
    const admin = await signUpAdmin(api, 'support');
    const { sn, sim } = await aStation(h, [{ slot: 1, battery: 90 }]);
    const client = follow(admin.token, 'slots', sn);
    await expect.poll(() => client.started(), poll).toBe(true);
    await sim.insert(sn, 2, `${sn}-PB2`, 80);
    await expect
      .poll(() =>
        client.events.some((event) =>
          (event.slots as { slot: number; powerBankSerial: string | null }[]).some(
            (slot) => slot.slot === 2 && slot.powerBankSerial === `${sn}-PB2`,
          ),
        ),
      )
      .toBe(true);
    client.stop();
  });

  it('on the wire, a slots message is its batch as one compact JSON text: each event only the slots that changed', async () => {
    const admin = await signUpAdmin(api, 'operations');
    const { sn, sim } = await aStation(h, [{ slot: 1, battery: 90 }]);
    const input = encodeURIComponent(JSON.stringify({ json: { sn } }));
    const response = await api.fetch(
      new Request(`http://api.test/trpc/admin.live.slots?input=${input}`, {
        headers: { authorization: `Bearer ${admin.token}` },
      }),
    );
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readMore = async () => {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`stream ended: ${text}`);
      text += chunk.value;
    };
    const messages = () =>
      [...text.matchAll(/\ndata: (\{"json":"\{.*)\nid: (.+)\n/g)].map(([, data, id]) => {
        // The batch's JSON text as one string (escaped once per batch, then copied into each stream's message).
        const body = JSON.parse(data!) as { json: string; meta: unknown };
        expect(body.meta).toMatchObject({ values: [['custom', 'live-batch']] });
        return { wire: JSON.parse(body.json) as SlotsWire, id: id! };
      });
    while (!text.includes('event: connected')) await readMore();
    // The first change may come whole (if it is the first the api hears of the station): the second not.
    await sim.insert(sn, 2, `${sn}-PB2`, 80);
    await sim.insert(sn, 3, `${sn}-PB3`, 70);
    const change = () => messages().find(({ wire }) => JSON.stringify(wire).includes(`${sn}-PB3`));
    while (!change()) await readMore();
    const { wire, id } = change()!;
    // Only slot 3, as 4 values, not the station's slots as objects.
    expect(wire.reset).toBeUndefined();
    const [station, receivedAt, full, ...values] = wire.slots.find((entry) => entry.includes(`${sn}-PB3`))!;
    expect([station, full]).toEqual([sn, 0]);
    expect(receivedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(values).toEqual([3, expect.any(String), `${sn}-PB3`, 70]);
    expect(id).toMatch(/^[0-9a-f-]+:\d+$/);
    await reader.cancel();
  });

  it('a signed-in customer is refused (FORBIDDEN) and gets no stream', async () => {
    const customer = await signUp(api);
    const client = follow(customer.token, 'stationStatus', 'any');
    await expect.poll(() => client.error()?.data?.code, poll).toBe('FORBIDDEN');
    expect(client.events).toEqual([]);
    client.stop();
  });
});

/** A hub of its own (a fresh prefix), and a way to publish core events to it. */
function aHub(options: { tickMs: number; clientBuffer?: number; replay?: number }) {
  const prefix = `live-${crypto.randomUUID().slice(0, 8)}`;
  const hub = new LiveHub({
    nats: api.deps.nats,
    prefix,
    logger: api.deps.logger,
    clientBuffer: options.clientBuffer ?? 1000,
    replay: options.replay ?? 0,
    tickMs: options.tickMs,
  });
  const returned = (sn: string) =>
    api.deps.nats.publish(subjects(prefix).coreEvent('return'), JSON.stringify({ sn, slot: 1 }));
  /** Station `sn` now has `banks` (a serial or null per slot, from slot 1). */
  const holds = (sn: string, banks: (string | null)[]) =>
    api.deps.nats.publish(
      subjects(prefix).coreEvent('station'),
      JSON.stringify({
        sn,
        status: 'online',
        lastHeartbeatAt: null,
        slots: banks.map((bank, i) => ({
          slot: i + 1,
          state: bank ? 'ready' : 'empty',
          powerBankSerial: bank,
          battery: bank ? 90 : null,
        })),
      }),
    );
  return { hub, returned, holds };
}

/** A slots stream read as a client does: its batches' wire form through one decoder. */
function slotsReader(stream: AsyncGenerator<HubBatch<'slots'>>) {
  const decoder = new LiveSlotsDecoder();
  const wires: SlotsWire[] = [];
  return {
    wires,
    /** The next batch's events, decoded (the batch's own events are the whole ones the hub holds). */
    async next() {
      const batch = (await stream.next()).value as HubBatch<'slots'>;
      wires.push(batch.payload.wire as SlotsWire);
      return { batch, events: decoder.decode(batch.payload.wire as SlotsWire) };
    },
  };
}

const banksOf = (event: { slots: readonly { powerBankSerial: string | null }[] }) =>
  event.slots.map((slot) => slot.powerBankSerial);

const snsOf = (batch: HubBatch<'rental'>) =>
  batch.payload.events.map((event) => ('sn' in event ? event.sn : ''));

describe('LiveHub: one message per stream per tick, built once per filter', () => {
  it('events of one tick reach each stream as one batch; streams with one filter share it; a station filter filters', async () => {
    const { hub, returned } = aHub({ tickMs: 300, replay: 100 });
    const all = [hub.events({ topics: ['rental'] }), hub.events({ topics: ['rental'] })];
    const one = hub.events({ topics: ['rental'], sn: 'S3' });
    const firsts = [...all, one].map((stream) => stream.next());
    await expect.poll(() => hub.listeners).toBe(3);
    for (let i = 0; i < 10; i++) returned(`S${i}`);
    const [a, b, station] = (await Promise.all(firsts)).map((result) => result.value as HubBatch<'rental'>);
    expect(snsOf(a!)).toEqual(Array.from({ length: 10 }, (_, i) => `S${i}`));
    expect(a!.count).toBe(10);
    // The very same batch object, so its JSON text is made once for both streams.
    expect(b!.payload).toBe(a!.payload);
    expect(JSON.parse(a!.payload.json)).toEqual(a!.payload.events);
    // What goes into each stream's message: the same raw value, made once.
    expect(liveBatchTransform.serialize(b!.payload)).toBe(liveBatchTransform.serialize(a!.payload));
    expect(JSON.parse(JSON.stringify({ json: liveBatchTransform.serialize(a!.payload) })).json).toBe(
      a!.payload.json,
    );
    expect(snsOf(station!)).toEqual(['S3']);
    expect(station!.id).not.toBe(a!.id);

    // Resuming from a batch's id replays what came after it, as one batch, then follows on.
    for (let i = 10; i < 15; i++) returned(`S${i}`);
    const next = (await all[0]!.next()).value as HubBatch<'rental'>;
    expect(snsOf(next)).toEqual(['S10', 'S11', 'S12', 'S13', 'S14']);
    const resumed = hub.events({ topics: ['rental'], lastEventId: a!.id });
    const replayed = (await resumed.next()).value as HubBatch<'rental'>;
    expect(snsOf(replayed)).toEqual(['S10', 'S11', 'S12', 'S13', 'S14']);
    expect(replayed.id).toBe(next.id);
    const fresh = hub.events({ topics: ['rental'], lastEventId: 'another-boot:1' });
    const freshFirst = fresh.next();
    await expect.poll(() => hub.listeners).toBe(5);
    returned('S15');
    expect(snsOf((await freshFirst).value as HubBatch<'rental'>)).toEqual(['S15']);
    hub.close();
  });
});

describe('LiveHub: a client that does not read is bounded', () => {
  it('past its buffer, its stream ends with SlowClientError; a reading client keeps every event', async () => {
    const { hub, returned } = aHub({ tickMs: 5, clientBuffer: 5 });
    const slow = hub.events({ topics: ['rental'] });
    const reader = hub.events({ topics: ['rental'] });
    // Both listen once their first read is asked for.
    const slowFirst = slow.next();
    let read = 0;
    const reading = (async () => {
      for await (const batch of reader) {
        read += batch.count;
        if (read === 20) return;
      }
    })();
    await expect.poll(() => hub.listeners).toBe(2);
    // One event per tick: the slow client's unread events pile up batch by batch.
    for (let i = 0; i < 20; i++) {
      returned(`S${i}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await reading;
    expect(read).toBe(20);
    await slowFirst;
    await expect(async () => {
      for (;;) if ((await slow.next()).done) return;
    }).rejects.toBeInstanceOf(SlowClientError);
    hub.close();
  });
});

describe('LiveHub: a slots stream sends what changed, and starts from the state that applies to', () => {
  it('changes only, decoded whole; a resume without a gap replays them; after a gap or another boot, the state anew', async () => {
    const { hub, holds } = aHub({ tickMs: 20, replay: 4 });
    let heard = 0;
    hub.observe((event) => {
      if (event.topic === 'slots') heard += 1;
    });
    // Heard before any stream: the state a new stream starts from.
    holds('A', ['a1', null, 'a3']);
    holds('B', [null, null]);
    await expect.poll(() => heard).toBe(2);

    const first = slotsReader(hub.events({ topics: ['slots'] }));
    const start = await first.next();
    // A new stream's first batch is the state (each station whole), which yields no event.
    expect(start.batch.payload.wire).toMatchObject({ reset: true });
    expect((start.batch.payload.wire as SlotsWire).slots.map(([sn, , full]) => [sn, full])).toEqual([
      ['A', 1],
      ['B', 1],
    ]);
    expect(start.events).toEqual([]);

    holds('A', ['a1', 'a2', 'a3']);
    const change = await first.next();
    // On the wire: slot 2 only. Decoded: the station whole.
    expect((change.batch.payload.wire as SlotsWire).slots).toEqual([
      ['A', expect.any(Number), 0, 2, 'ready', 'a2', 90],
    ]);
    expect(change.events.map((event) => [event.sn, banksOf(event)])).toEqual([['A', ['a1', 'a2', 'a3']]]);
    expect(change.events).toEqual(change.batch.payload.events.map((event) => ({ ...event })));
    const seen = change.batch.id;

    // Resumed from the last batch it read, nothing dropped since: the changes it missed, as changes.
    holds('B', ['b1', null]);
    holds('A', [null, 'a2', 'a3']);
    expect((await first.next()).events.map(banksOf)).toEqual([
      ['b1', null],
      [null, 'a2', 'a3'],
    ]);
    const resumed = hub.events({ topics: ['slots'], lastEventId: seen });
    const resumedWire = ((await resumed.next()).value as HubBatch<'slots'>).payload.wire as SlotsWire;
    expect(resumedWire.reset).toBeUndefined();
    expect(resumedWire.slots.map(([sn, , full, ...values]) => [sn, full, values.length])).toEqual([
      ['B', 0, 4],
      ['A', 0, 4],
    ]);

    // More events than the replay holds since `seen` (each also counts its `station` event): the
    // stream gets the state anew, and its decoder yields the stations that differ from what it had.
    const decoder = new LiveSlotsDecoder();
    decoder.decode(start.batch.payload.wire as SlotsWire);
    decoder.decode(change.batch.payload.wire as SlotsWire);
    holds('B', ['b1', 'b2']);
    await first.next();
    const afterGap = (
      (await hub.events({ topics: ['slots'], lastEventId: seen }).next()).value as HubBatch<'slots'>
    ).payload.wire as SlotsWire;
    expect(afterGap.reset).toBe(true);
    expect(decoder.decode(afterGap).map((event) => [event.sn, banksOf(event)])).toEqual([
      ['A', [null, 'a2', 'a3']],
      ['B', ['b1', 'b2']],
    ]);

    // Another instance's id: the state anew too (a station filter: that station only).
    const other = hub.events({ topics: ['slots'], sn: 'B', lastEventId: 'another-boot:7' });
    const otherWire = ((await other.next()).value as HubBatch<'slots'>).payload.wire as SlotsWire;
    expect(otherWire).toMatchObject({
      reset: true,
      slots: [['B', expect.any(Number), 1, 1, 'ready', 'b1', 90, 2, 'ready', 'b2', 90]],
    });
    hub.close();
  });
});
