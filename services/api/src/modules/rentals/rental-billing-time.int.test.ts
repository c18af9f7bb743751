import { ledger } from '@powerbank/ledger';
import { reconcileReturns } from '@powerbank/rentals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoreWithoutRentalRunner } from '../../../../station-core/src/testing/core-without-runner.ts';
import { bearer, signUp } from '../../testing/auth-helpers.ts';
import { aRentalPackage } from '../../testing/rental-packages.ts';
import { startRentalStack } from '../../testing/rental-stack.ts';

const poll = { timeout: 15_000, interval: 100 };
// After a consumer stops, a pull request it left at the server may still take the next event; that
// event comes back only after the durable's ack wait (30 s). A wait that follows a stopped consumer
// allows for that redelivery.
const pollPastRedelivery = { timeout: 45_000, interval: 100 };
const MINUTE = 60_000;
let stack: Awaited<ReturnType<typeof startRentalStack>>;
let hour: number;

beforeAll(async () => {
  stack = await startRentalStack();
  const em = stack.api.deps.orm.em.fork();
  // One hour prepaid at 8.00; 0.10 a minute beyond it, late fee ×2 after 2 minutes' grace.
  const pkg = aRentalPackage(em, 'hour-billing-time');
  await em.flush();
  hour = pkg.id;
}, 60_000);
afterAll(() => stack?.close());

/**
 * A one-hour rental of the station's only power bank that began 62 minutes ago: it was due 2
 * minutes ago. The power bank is returned 10 minutes ago, 8 minutes before it was due.
 */
async function aRentalReturnedBeforeItsDue() {
  const { h, api } = stack;
  const sn = h.newSerial();
  const serial = `${sn}-PB1`;
  const sim = await h.simulator({
    stations: [{ sn, slotCount: 2, powerBanks: [{ slot: 1, battery: 90, serial }] }],
    ejectDelayMs: 30,
  });
  await expect.poll(async () => (await h.slots(sn)).filter((s) => s.status === 'ready').length, poll).toBe(1);
  const user = await signUp(api);
  await ledger.creditWallet(api.deps.orm.em.fork(), {
    userId: user.userId,
    amount: 10_000,
    type: 'topup',
    idempotencyKey: `billing-time:${user.userId}`,
  });
  const started = await api.rest(
    'POST',
    '/api/rentals/start',
    {
      station_sn: sn,
      package_id: hour,
      payment_mode: 'wallet',
      idempotency_key: `k-${crypto.randomUUID()}`,
    },
    bearer(user.token),
  );
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  expect(started.body.data.status).toBe('active');
  const rentalId: string = started.body.data.id;
  const now = Date.now();
  await h.sql(
    `update rental set started_at = ?, due_at = ?, created_at = created_at - interval '62 minutes' where id = ?`,
    [new Date(now - 62 * MINUTE), new Date(now - 2 * MINUTE), rentalId],
  );
  return { sn, serial, sim, rentalId, userId: user.userId, returnedAt: now - 10 * MINUTE };
}

const rentalStatus = async (rentalId: string) =>
  (await stack.h.sql<{ status: string }>('select status from rental where id = ?', [rentalId]))[0]?.status;

/** Billed at `returnedAt`: no overage, no late fee, only the hour's price paid. */
async function expectBilledAt(rentalId: string, userId: string, returnedAt: number) {
  const { h } = stack;
  const [rental] = await h.sql<{ returned_at: Date; overage_amount: string; late_fee_amount: string }>(
    'select returned_at, overage_amount, late_fee_amount from rental where id = ?',
    [rentalId],
  );
  expect(new Date(rental?.returned_at ?? 0).getTime()).toBe(returnedAt);
  expect(Number(rental?.overage_amount)).toBe(0);
  expect(Number(rental?.late_fee_amount)).toBe(0);
  const [wallet] = await h.sql<{ balance: string }>('select balance from wallet where user_id = ?', [userId]);
  expect(Number(wallet?.balance)).toBe(10_000 - 800);
}

describe('a return is billed at the time it happened, not when it is processed', () => {
  it('a return processed 10 minutes after it happened (held by the station, then a core backlog) costs nothing extra', async () => {
    const { h } = stack;
    const { sn, serial, sim, rentalId, userId, returnedAt } = await aRentalReturnedBeforeItsDue();
    // The station reports the return only now, and station-core is down, so the report also waits
    // in the stream.
    await h.stopCore();
    await sim.insert(sn, 2, serial, 80, returnedAt);
    await h.restartCore();

    await expect.poll(() => rentalStatus(rentalId), pollPastRedelivery).toBe('settled');
    await expectBilledAt(rentalId, userId, returnedAt);
  }, 90_000);

  it('a return whose event no runner heard, reconciled later by the timers, is billed at the station time too', async () => {
    const { h, api } = stack;
    const { sn, serial, sim, rentalId, userId, returnedAt } = await aRentalReturnedBeforeItsDue();
    // Station-core applies the late report, but its return event reaches no rental runner.
    await h.stopCore();
    await sim.insert(sn, 2, serial, 80, returnedAt);
    const core = await startCoreWithoutRentalRunner(h);
    try {
      await expect
        .poll(() => core.dropped.map((r) => r.powerBankSerial), pollPastRedelivery)
        .toEqual([serial]);
      await expect.poll(async () => (await h.powerBank(serial))?.status, poll).toBe('in_slot');
    } finally {
      await core.stop();
    }
    // Still open (overdue if the core's timers ran since it fell due).
    expect(['active', 'overdue']).toContain(await rentalStatus(rentalId));

    // The timers find it: the power bank is back in a slot since after the rental started.
    expect(await reconcileReturns(api.deps.orm.em.fork())).toBe(1);
    expect(await rentalStatus(rentalId)).toBe('settled');
    await expectBilledAt(rentalId, userId, returnedAt);
  }, 90_000);
});
