import { subjects } from '@powerbank/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../../../../packages/api-client/src/index.ts';
import type { CoreHarness } from '../../../../station-core/src/testing/core-harness.ts';
import { setAppConfig, signUp, signUpAdmin } from '../../testing/auth-helpers.ts';
import { startRentalStack } from '../../testing/rental-stack.ts';
import { aStation } from '../../testing/stations.ts';
import type { TestApi } from '../../testing/test-app.ts';
import { LiveHub, SlowClientError } from './live-hub.ts';

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

type Received = { id?: string; data: { sn: string; status?: string; slots?: unknown[] } };

/** A signed-in console following one live stream of one station, through the typed client over SSE. */
function follow(token: string, stream: 'stationStatus' | 'slots', sn: string) {
  const client = createApiClient({ url: 'http://api.test', fetch: api.fetch, token });
  const events: Received['data'][] = [];
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
      onData: (event) => events.push((event as unknown as Received).data),
      onError: (cause: unknown) => {
        error = cause as typeof error;
      },
    },
  );
  return {
    events,
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

  it('a signed-in customer is refused (FORBIDDEN) and gets no stream', async () => {
    const customer = await signUp(api);
    const client = follow(customer.token, 'stationStatus', 'any');
    await expect.poll(() => client.error()?.data?.code, poll).toBe('FORBIDDEN');
    expect(client.events).toEqual([]);
    client.stop();
  });
});

describe('LiveHub: a client that does not read is bounded', () => {
  it('past its buffer, its stream ends with SlowClientError; a reading client keeps every event', async () => {
    const prefix = `live-${crypto.randomUUID().slice(0, 8)}`;
    const hub = new LiveHub({
      nats: api.deps.nats,
      prefix,
      logger: api.deps.logger,
      clientBuffer: 5,
      replay: 0,
    });
    const slow = hub.events({ topics: ['rental'] });
    const reader = hub.events({ topics: ['rental'] });
    // Both listen once their first read is asked for.
    const slowFirst = slow.next();
    const read: unknown[] = [];
    const reading = (async () => {
      for await (const event of reader) if (read.push(event) === 20) return;
    })();
    await expect.poll(() => hub.listeners).toBe(2);
    for (let i = 0; i < 20; i++) {
      api.deps.nats.publish(subjects(prefix).coreEvent('return'), JSON.stringify({ sn: `S${i}`, slot: 1 }));
    }
    await reading;
    expect(read).toHaveLength(20);
    await slowFirst;
    await expect(async () => {
      for (;;) if ((await slow.next()).done) return;
    }).rejects.toBeInstanceOf(SlowClientError);
    hub.close();
  });
});
