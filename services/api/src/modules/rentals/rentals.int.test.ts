import { AsyncLocalStorage } from 'node:async_hooks';
import type { RentalPackage } from '@powerbank/db';
import { ledger } from '@powerbank/ledger';
import { rentalSettledEvent, subjects } from '@powerbank/protocol';
import { runRentalTimers } from '@powerbank/rentals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../../../../packages/api-client/src/index.ts';
import { type CoreHarness, EJECT_TIMEOUT_MS } from '../../../../station-core/src/testing/core-harness.ts';
import { bearer, type SignedUp, setAppConfig, signUp } from '../../testing/auth-helpers.ts';
import { aRentalPackage } from '../../testing/rental-packages.ts';
import { startRentalStack } from '../../testing/rental-stack.ts';
import { aStation as aStationOf } from '../../testing/stations.ts';
import type { TestApi } from '../../testing/test-app.ts';

const poll = { timeout: 10_000, interval: 100 };
let h: CoreHarness;
let api: TestApi;
let prepaid: number;
let postpaid: number;
let deposit: number;
let ext: number;

beforeAll(async () => {
  ({ h, api } = await startRentalStack());
  await setAppConfig(api, { otp_sends_per_ip_hour: 100_000 });
  const em = api.deps.orm.em.fork();
  const pkg = (code: string, extra: Partial<RentalPackage>) => aRentalPackage(em, code, extra);
  const a = pkg('hour', {});
  const b = pkg('payg', { paymentModel: 'postpaid', price: 0, durationMinutes: 1440, perMinuteRate: 5 });
  const c = pkg('plus30', { durationMinutes: 30, price: 300 });
  const d = pkg('payg-deposit', {
    paymentModel: 'postpaid',
    price: 0,
    durationMinutes: 1440,
    perMinuteRate: 5,
    depositAmount: 2000,
  });
  await em.flush();
  deposit = d.id;
  prepaid = a.id;
  postpaid = b.id;
  ext = c.id;
}, 60_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

const aStation = (banks: { slot: number; battery: number }[], extra = {}) => aStationOf(h, banks, extra);

/** A signed-up user (50 signup points) with `wallet` minor units topped up. */
async function aUser(wallet = 10_000): Promise<SignedUp> {
  const user = await signUp(api);
  if (wallet > 0) {
    await ledger.creditWallet(api.deps.orm.em.fork(), {
      userId: user.userId,
      amount: wallet,
      type: 'topup',
      idempotencyKey: `test-topup:${user.userId}`,
    });
  }
  return user;
}

async function balances(userId: string) {
  const [row] = await h.sql<{ wallet: string; points: number }>(
    'select w.balance as wallet, p.balance as points from wallet w join user_points p on p.user_id = w.user_id where w.user_id = ?',
    [userId],
  );
  return { wallet: Number(row?.wallet), points: Number(row?.points) };
}

/** The wallet's hold, the rental's record of it, and the ledger sum next to the balance. */
async function holds(userId: string, rentalId?: string) {
  const [row] = await h.sql<{ balance: string; held: string; ledger: string; rental_held: string | null }>(
    `select w.balance, w.held,
            (select coalesce(sum(amount), 0) from wallet_transaction where wallet_id = w.id) as ledger,
            (select held_amount from rental where id = ?) as rental_held
       from wallet w where w.user_id = ?`,
    [rentalId ?? null, userId],
  );
  return {
    balance: Number(row?.balance),
    held: Number(row?.held),
    ledger: Number(row?.ledger),
    rentalHeld: row?.rental_held == null ? null : Number(row.rental_held),
  };
}

const start = (user: SignedUp, body: Record<string, unknown>) =>
  api.rest('POST', '/api/rentals/start', body, bearer(user.token));
/** A start the test builds on: it must have made an active rental (else the answer is printed). */
async function startActive(user: SignedUp, body: Record<string, unknown>) {
  const res = await start(user, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.data.status, JSON.stringify(res.body)).toBe('active');
  return res;
}
const startBody = (sn: string, extra: Record<string, unknown> = {}) => ({
  station_sn: sn,
  package_id: prepaid,
  payment_mode: 'wallet_points',
  idempotency_key: `k-${crypto.randomUUID()}`,
  ...extra,
});
const rentalRow = async (id: string) =>
  (
    await h.sql<{ status: string; due_amount: string }>(
      'select status, due_amount from rental where id = ?',
      [id],
    )
  )[0];

const payDue = (user: SignedUp, id: string, key: string) =>
  api.rest(
    'POST',
    `/api/rentals/${id}/pay-due`,
    { payment_mode: 'wallet', idempotency_key: key },
    bearer(user.token),
  );
const extend = (user: SignedUp, id: string, key: string, packageId = ext) =>
  api.rest(
    'POST',
    `/api/rentals/${id}/extend`,
    { package_id: packageId, payment_mode: 'wallet', idempotency_key: key },
    bearer(user.token),
  );
/** Two users with 10,000 each, and a station with a power bank for each. */
async function twoRenters() {
  const one = await aStation([
    { slot: 1, battery: 90 },
    { slot: 2, battery: 90 },
  ]);
  return { one, alice: await aUser(10_000), bob: await aUser(10_000) };
}

describe('rentals end to end (REST + tRPC, real simulator, bridge, station-core and Postgres)', () => {
  it('happy path: start → eject → active → return at another station → settled, to the unit', async () => {
    const one = await aStation([
      { slot: 1, battery: 60 },
      { slot: 2, battery: 95 },
    ]);
    const two = await aStation([]);
    const user = await aUser(10_000);
    const res = await start(user, startBody(one.sn));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rental = res.body.data;
    // Highest charge first; 50 points (= 500) and 300 from the wallet pay the 800.
    expect(rental).toMatchObject({
      status: 'active',
      power_bank_serial: one.serials[1],
      slot: 2,
      points_paid: 50,
    });
    expect(rental.wallet_paid.amount).toBe(300);
    expect(await balances(user.userId)).toEqual({ wallet: 9700, points: 0 });
    expect(await h.powerBank(one.serials[1]!)).toMatchObject({
      status: 'rented',
      current_rental_id: rental.id,
    });

    const settledEvents: unknown[] = [];
    const onSettled = h.nats.subscribe(subjects(h.prefix).rentalEvent('settled'), {
      callback: (_err, msg) => {
        const event = rentalSettledEvent.parse(msg.json());
        if (event.rentalId === rental.id) settledEvents.push(event);
      },
    });
    await two.sim.insert(two.sn, 3, one.serials[1]!, 80);
    await expect.poll(async () => (await rentalRow(rental.id))?.status, poll).toBe('settled');
    // On time: nothing more charged; +5 per rental and +50 for a timely return.
    expect(await balances(user.userId)).toEqual({ wallet: 9700, points: 55 });
    // Whoever follows rentals hears of it once, after the commit, without polling.
    await expect.poll(() => settledEvents.length, poll).toBe(1);
    onSettled.unsubscribe();
    expect(settledEvents[0]).toEqual({
      rentalId: rental.id,
      userId: user.userId,
      status: 'settled',
      currency: 'USD',
      settledAmount: 0,
      dueAmount: 0,
    });

    const client = createApiClient({ url: 'http://api.test', token: user.token, fetch: api.fetch });
    const history = await client.rentals.history.query({});
    expect(history.results[0]).toMatchObject({
      id: rental.id,
      status: 'settled',
      start_station_sn: one.sn,
      return_station_sn: two.sn,
    });
    expect((await client.rentals.active.query({})).results).toEqual([]);
    const stats = await client.rentals.usageStats.query({});
    expect(stats).toMatchObject({
      total_rentals: 1,
      completed_rentals: 1,
      timely_returns: 1,
      points_spent: 50,
    });
    const notices = await h.sql<{ type: string }>(
      'select type from notification where user_id = ? order by created_at',
      [user.userId],
    );
    expect(notices.map((n) => n.type)).toEqual(expect.arrayContaining(['rental_started', 'rental_returned']));
  });

  it('paid from the wallet alone: the payment goes in with the rental; a wallet spent meanwhile refuses the start, nothing kept', async () => {
    const one = await aStation([
      { slot: 1, battery: 90 },
      { slot: 2, battery: 90 },
    ]);
    const user = await aUser(10_000);
    const res = await startActive(user, startBody(one.sn, { payment_mode: 'wallet' }));
    const payments = (userId: string) =>
      h.sql<{ rental_id: string; amount: string; wallet_amount: string; entries: string; entry_sum: string }>(
        `select t.rental_id, t.amount, t.wallet_amount,
                (select count(*) from wallet_transaction e where e.transaction_id = t.id) as entries,
                (select sum(e.amount) from wallet_transaction e where e.transaction_id = t.id) as entry_sum
           from transactions t where t.user_id = ? order by t.created_at`,
        [userId],
      );
    expect(await payments(user.userId)).toEqual([
      { rental_id: res.body.data.id, amount: '800', wallet_amount: '800', entries: '1', entry_sum: '-800' },
    ]);
    expect(await holds(user.userId)).toMatchObject({ balance: 9200, ledger: 9200 });

    // The start reads 10,000, then its debit waits on the wallet's row while 9,500 is spent: the
    // debit re-checks the balance, matches nothing, and the start is refused with its payment's row.
    const late = await aUser(10_000);
    // The request runs outside this test's transaction (the ORM keeps it in async-local storage).
    const outside = AsyncLocalStorage.snapshot();
    const { pending } = await api.deps.orm.em.fork().transactional(async (tem) => {
      await tem.execute('select 1 from wallet where user_id = ? for update', [late.userId]);
      const pending = outside(() => start(late, startBody(one.sn, { payment_mode: 'wallet' })));
      await new Promise((resolve) => setTimeout(resolve, 400));
      await ledger.debitWallet(tem, {
        userId: late.userId,
        amount: 9_500,
        type: 'fine',
        idempotencyKey: `test-spend:${late.userId}`,
      });
      // Not awaited here: the start waits for this transaction's commit.
      return { pending };
    });
    const refused = await pending;
    expect(refused.status, JSON.stringify(refused.body)).toBe(402);
    expect(refused.body.error).toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { available: 500 } });
    expect(await payments(late.userId)).toEqual([]);
    expect(await h.sql('select id from rental where user_id = ?', [late.userId])).toEqual([]);
    expect(await holds(late.userId)).toMatchObject({ balance: 500, ledger: 500 });
  });

  it('through the typed tRPC client: a postpaid rental is charged minutes × rate at return', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }]);
    const user = await aUser(10_000);
    const client = createApiClient({ url: 'http://api.test', token: user.token, fetch: api.fetch });
    const rental = await client.rentals.start.mutate({
      station_sn: one.sn,
      package_id: postpaid,
      payment_mode: 'wallet',
      idempotency_key: `k-${crypto.randomUUID()}`,
    });
    expect(rental.status).toBe('active');
    // The package has no deposit: AppConfig's postpaid minimum (5000) is held, not charged.
    expect(await holds(user.userId, rental.id)).toEqual({
      balance: 10_000,
      held: 5000,
      ledger: 10_000,
      rentalHeld: 5000,
    });
    await h.sql(`update rental set started_at = now() - interval '9 minutes 30 seconds' where id = ?`, [
      rental.id,
    ]);
    await one.sim.insert(one.sn, 1, one.serials[0]!, 70);
    await expect.poll(async () => (await rentalRow(rental.id))?.status, poll).toBe('settled');
    // 10 started minutes × 5 = 50, paid by wallet_points from points first (5 points); then +5 and +50 points.
    expect(await balances(user.userId)).toEqual({ wallet: 10_000, points: 50 - 5 + 55 });
    expect(await holds(user.userId, rental.id)).toEqual({
      balance: 10_000,
      held: 0,
      ledger: 10_000,
      rentalHeld: 0,
    });
  });

  it("postpaid deposit: the package's deposit is held during the rental and captured at return, to the unit", async () => {
    const one = await aStation([{ slot: 1, battery: 90 }]);
    const poor = await aUser(1999);
    const refused = await start(poor, startBody(one.sn, { package_id: deposit, payment_mode: 'wallet' }));
    expect(refused.status).toBe(402);
    expect(refused.body.error.details).toMatchObject({ required: 2000, available: 1999, missing: 1 });
    expect(await holds(poor.userId)).toMatchObject({ balance: 1999, held: 0, ledger: 1999 });

    const user = await aUser(2500);
    const res = await start(user, startBody(one.sn, { package_id: deposit, payment_mode: 'wallet_points' }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rental = res.body.data;
    expect(rental.status).toBe('active');
    expect(await holds(user.userId, rental.id)).toEqual({
      balance: 2500,
      held: 2000,
      ledger: 2500,
      rentalHeld: 2000,
    });
    // Held money is not spendable: 500 is left for anything else.
    const spend = await ledger
      .debitWallet(api.deps.orm.em.fork(), {
        userId: user.userId,
        amount: 501,
        type: 'fine',
        idempotencyKey: `test-spend:${user.userId}`,
      })
      .catch((e) => e);
    expect(spend).toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { available: 500 } });
    await h.sql(`update rental set started_at = now() - interval '299 minutes 30 seconds' where id = ?`, [
      rental.id,
    ]);
    await one.sim.insert(one.sn, 1, one.serials[0]!, 70);
    await expect.poll(async () => (await rentalRow(rental.id))?.status, poll).toBe('settled');
    // 300 started minutes × 5 = 1500: 50 points (= 500) and 1000 from the wallet, part of it the held money.
    expect(await balances(user.userId)).toEqual({ wallet: 1500, points: 55 });
    expect(await holds(user.userId, rental.id)).toEqual({
      balance: 1500,
      held: 0,
      ledger: 1500,
      rentalHeld: 0,
    });
    expect(Number((await rentalRow(rental.id))?.due_amount)).toBe(0);
  });

  it('postpaid eject failure → failed, the hold released, nothing charged', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }], { ejectFailureRate: 1 });
    const user = await aUser(10_000);
    const res = await start(user, startBody(one.sn, { package_id: deposit }));
    expect(res.body.data).toMatchObject({ status: 'failed', failure_reason: 'eject_failed' });
    expect(await holds(user.userId, res.body.data.id)).toEqual({
      balance: 10_000,
      held: 0,
      ledger: 10_000,
      rentalHeld: 0,
    });
    expect(await balances(user.userId)).toEqual({ wallet: 10_000, points: 50 });
  });

  it('postpaid eject timeout → hold released; the late success holds it again; cancel releases it once', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }], { ejectDelayMs: EJECT_TIMEOUT_MS + 1000 });
    const user = await aUser(10_000);
    const res = await start(user, startBody(one.sn, { package_id: deposit }));
    const id = res.body.data.id;
    expect(res.body.data).toMatchObject({ status: 'failed', failure_reason: 'timeout' });
    expect(await holds(user.userId, id)).toMatchObject({ held: 0, rentalHeld: 0 });
    await expect.poll(async () => (await rentalRow(id))?.status, poll).toBe('active');
    expect(await holds(user.userId, id)).toEqual({
      balance: 10_000,
      held: 2000,
      ledger: 10_000,
      rentalHeld: 2000,
    });
    // As if the station had not answered yet: a pending postpaid rental cancels for free and lets the hold go.
    await h.sql(`update rental set status = 'pending' where id = ?`, [id]);
    const cancelled = await api.rest('POST', `/api/rentals/${id}/cancel`, {}, bearer(user.token));
    expect(cancelled.body.data.status).toBe('cancelled');
    const again = await api.rest('POST', `/api/rentals/${id}/cancel`, {}, bearer(user.token));
    expect(again.status).not.toBe(500);
    expect(await holds(user.userId, id)).toEqual({
      balance: 10_000,
      held: 0,
      ledger: 10_000,
      rentalHeld: 0,
    });
    expect(await balances(user.userId)).toEqual({ wallet: 10_000, points: 50 });
  });

  it('eject failure → failed, money back the way it came, notified', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }], { ejectFailureRate: 1 });
    const user = await aUser(10_000);
    const res = await start(user, startBody(one.sn));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'failed', failure_reason: 'eject_failed' });
    expect(await balances(user.userId)).toEqual({ wallet: 10_000, points: 50 });
    const [notice] = await h.sql('select 1 from notification where user_id = ? and type = ?', [
      user.userId,
      'rental_failed',
    ]);
    expect(notice).toBeDefined();
  });

  it('eject result and return each overtaken on the way by a newer heartbeat → active, then settled, charged once', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }], { overtake: true });
    const two = await aStation([], { overtake: true });
    const user = await aUser(10_000);
    const res = await startActive(user, startBody(one.sn));
    expect(res.body.data.power_bank_serial).toBe(one.serials[0]);
    expect(await balances(user.userId)).toEqual({ wallet: 9700, points: 0 });
    await two.sim.insert(two.sn, 2, one.serials[0]!, 70);
    await expect.poll(async () => (await rentalRow(res.body.data.id))?.status, poll).toBe('settled');
    expect(await balances(user.userId)).toEqual({ wallet: 9700, points: 55 });
    expect(await h.powerBank(one.serials[0]!)).toMatchObject({ status: 'in_slot', current_slot_index: 2 });
  });

  it('eject timeout → failed and refunded; the late success makes it active and takes the payment once', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }], { ejectDelayMs: EJECT_TIMEOUT_MS + 1000 });
    const user = await aUser(10_000);
    const res = await start(user, startBody(one.sn));
    expect(res.body.data).toMatchObject({ status: 'failed', failure_reason: 'timeout' });
    expect(await balances(user.userId)).toEqual({ wallet: 10_000, points: 50 });
    await expect.poll(async () => (await rentalRow(res.body.data.id))?.status, poll).toBe('active');
    expect(await balances(user.userId)).toEqual({ wallet: 9700, points: 0 });
  });

  it('a due on an active rental (late success after the refund was spent) is paid once, whatever the status', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }], { ejectDelayMs: EJECT_TIMEOUT_MS + 1000 });
    const user = await aUser(800);
    const res = await start(user, startBody(one.sn, { payment_mode: 'wallet' }));
    const id = res.body.data.id;
    expect(res.body.data).toMatchObject({ status: 'failed', failure_reason: 'timeout' });
    // The refund is spent before the station's late success comes in.
    await ledger.debitWallet(api.deps.orm.em.fork(), {
      userId: user.userId,
      amount: 800,
      type: 'adjustment',
      idempotencyKey: `spend:${user.userId}`,
    });
    await expect.poll(async () => rentalRow(id), poll).toEqual({ status: 'active', due_amount: '800' });
    await ledger.creditWallet(api.deps.orm.em.fork(), {
      userId: user.userId,
      amount: 1000,
      type: 'topup',
      idempotencyKey: `topup2:${user.userId}`,
    });
    const keys = Array.from({ length: 20 }, (_, i) => `due-${i}-${id}`);
    const results = await Promise.all(keys.map((key) => payDue(user, id, key)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok.map((r) => [r.body.data.status, r.body.data.due.amount])).toEqual([['active', 0]]);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.error.message).toBe('nothing is due on this rental');
    }
    // The winner's retry answers as the payment it made; nothing more is taken.
    const retry = await payDue(user, id, keys[results.indexOf(ok[0]!)]!);
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(await rentalRow(id)).toEqual({ status: 'active', due_amount: '0' });
    expect((await balances(user.userId)).wallet).toBe(200);
    const [dues] = await h.sql<{ n: string }>(
      `select count(*) as n from wallet_transaction where user_id = ? and type = 'due_payment'`,
      [user.userId],
    );
    expect(dues?.n).toBe('1');
  });

  it('late return → overage and late fee; unaffordable → a due that blocks starts; pay-due clears it', async () => {
    const one = await aStation([
      { slot: 1, battery: 90 },
      { slot: 2, battery: 80 },
    ]);
    const user = await aUser(10_000);
    const { body } = await startActive(user, startBody(one.sn));
    const id = body.data.id;
    // Due 9.5 minutes ago → 10 started minutes overdue: overage 10 × 10, late fee (10 − 2) × 10 × 2.
    await h.sql(
      `update rental set started_at = now() - interval '70 minutes', due_at = now() - interval '9 minutes 30 seconds' where id = ?`,
      [id],
    );
    await ledger.debitWallet(api.deps.orm.em.fork(), {
      userId: user.userId,
      amount: 9700,
      type: 'adjustment',
      idempotencyKey: `drain:${user.userId}`,
    });
    await one.sim.insert(one.sn, 4, body.data.power_bank_serial, 50);
    await expect.poll(async () => (await rentalRow(id))?.status, poll).toBe('settled');
    const settled = (await api.rest('GET', '/api/rentals/history', undefined, bearer(user.token))).body.data
      .results[0];
    expect(settled).toMatchObject({
      overage: { amount: 100 },
      late_fee: { amount: 160 },
      due: { amount: 260 },
    });

    const blocked = await start(user, startBody(one.sn));
    expect(blocked.status).toBe(402);
    await ledger.creditWallet(api.deps.orm.em.fork(), {
      userId: user.userId,
      amount: 1000,
      type: 'topup',
      idempotencyKey: `topup2:${user.userId}`,
    });
    const paid = await api.rest(
      'POST',
      `/api/rentals/${id}/pay-due`,
      { payment_mode: 'wallet', idempotency_key: `due-${id}` },
      bearer(user.token),
    );
    expect(paid.status).toBe(200);
    expect(paid.body.data.due.amount).toBe(0);
    expect((await balances(user.userId)).wallet).toBe(740);
  });

  it('extend charges once per key; the due time moves by the package', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }]);
    const user = await aUser(10_000);
    const { body } = await startActive(user, startBody(one.sn));
    const before = await balances(user.userId);
    const extend = () =>
      api.rest(
        'POST',
        `/api/rentals/${body.data.id}/extend`,
        { package_id: ext, payment_mode: 'wallet', idempotency_key: `ext-${body.data.id}` },
        bearer(user.token),
      );
    const [a, b] = [await extend(), await extend()];
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.data.extension_count).toBe(1);
    expect(new Date(b.body.data.due_at).getTime() - new Date(body.data.due_at).getTime()).toBe(30 * 60_000);
    expect((await balances(user.userId)).wallet).toBe(before.wallet - 300);
  });

  it("pay-due keys are the user's and the rental's: the same key by another user or on another rental pays afresh; again with another due → 409", async () => {
    const { one, alice, bob } = await twoRenters();
    const wallet = { payment_mode: 'wallet' };
    const key = 'one-key-for-every-due';
    /** A rental returned and settled with `due` owed, as a late return the balances missed leaves it. */
    const settledWithDue = async (user: SignedUp, due: number) => {
      const { body } = await startActive(user, startBody(one.sn, wallet));
      await one.sim.insert(one.sn, body.data.slot, body.data.power_bank_serial, 90);
      await expect.poll(async () => (await rentalRow(body.data.id))?.status, poll).toBe('settled');
      await h.sql('update rental set due_amount = ? where id = ?', [due, body.data.id]);
      return body.data.id as string;
    };
    const a1 = await settledWithDue(alice, 500);
    const b1 = await settledWithDue(bob, 500);
    expect((await payDue(alice, a1, key)).status).toBe(200);
    // Bob's request carries Alice's key, the same amount: it is Bob's own payment.
    const bobs = await payDue(bob, b1, key);
    expect(bobs.status, JSON.stringify(bobs.body)).toBe(200);
    expect((await balances(bob.userId)).wallet).toBe(10_000 - 800 - 500);
    // Alice's next rental owes the same amount; her key again is a payment of that rental's.
    const a2 = await settledWithDue(alice, 500);
    expect((await payDue(alice, a2, key)).status).toBe(200);
    expect((await balances(alice.userId)).wallet).toBe(10_000 - 2 * (800 + 500));
    // A later due on the same rental is another payment: the key that paid the first one is refused.
    for (const due of [500, 700]) {
      await h.sql('update rental set due_amount = ? where id = ?', [due, a2]);
      const reused = await payDue(alice, a2, key);
      expect(reused.status, JSON.stringify(reused.body)).toBe(409);
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await rentalRow(a2)).toMatchObject({ due_amount: String(due) });
    }
    expect((await balances(alice.userId)).wallet).toBe(10_000 - 2 * (800 + 500));
  });

  it("extend keys are the user's and the rental's: another user's or rental's extension pays afresh; 10 concurrent retries charge once", async () => {
    const { one, alice, bob } = await twoRenters();
    const wallet = { payment_mode: 'wallet' };
    const a1 = (await startActive(alice, startBody(one.sn, wallet))).body.data;
    const b1 = (await startActive(bob, startBody(one.sn, wallet))).body.data;
    expect((await extend(alice, a1.id, 'shared-extension-key')).status).toBe(200);
    const bobs = await extend(bob, b1.id, 'shared-extension-key');
    expect(bobs.status, JSON.stringify(bobs.body)).toBe(200);
    expect(bobs.body.data.extension_count).toBe(1);
    expect((await balances(bob.userId)).wallet).toBe(10_000 - 800 - 300);

    const retries = await Promise.all(Array.from({ length: 10 }, () => extend(alice, a1.id, 'retried-key')));
    expect(retries.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(retries.map((r) => r.body.data.extension_count)).toEqual(Array(10).fill(2));
    expect((await balances(alice.userId)).wallet).toBe(10_000 - 800 - 2 * 300);
    const otherPackage = await extend(alice, a1.id, 'retried-key', prepaid);
    expect(otherPackage.status).toBe(409);

    // Alice's next rental: the first key again is that rental's extension.
    await one.sim.insert(one.sn, 4, a1.power_bank_serial, 90);
    await expect.poll(async () => (await rentalRow(a1.id))?.status, poll).toBe('settled');
    const a2 = (await startActive(alice, startBody(one.sn, wallet))).body.data;
    const again = await extend(alice, a2.id, 'shared-extension-key');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.data.extension_count).toBe(1);
    expect((await balances(alice.userId)).wallet).toBe(10_000 - 2 * 800 - 3 * 300);
  });

  it("the same start retried with its key → one rental; the key with another body → 409; another user's is theirs", async () => {
    const one = await aStation([
      { slot: 1, battery: 90 },
      { slot: 2, battery: 90 },
    ]);
    const two = await aStation([{ slot: 1, battery: 90 }]);
    const user = await aUser(10_000);
    const body = startBody(one.sn);
    const [a, b] = await Promise.all([start(user, body), start(user, body)]);
    expect(a.body.data.id).toBe(b.body.data.id);
    const [{ n }] = (await h.sql<{ n: string }>('select count(*) as n from rental where user_id = ?', [
      user.userId,
    ])) as [{ n: string }];
    expect(Number(n)).toBe(1);
    expect((await balances(user.userId)).wallet).toBe(9700);
    const other = await start(user, { ...body, package_id: postpaid });
    expect(other.status).toBe(409);
    // A start's key is the user's (one rental per user and key): the station is part of the request.
    expect((await start(user, { ...body, station_sn: two.sn })).status).toBe(409);
    const someoneElse = await aUser(10_000);
    const theirs = await startActive(someoneElse, body);
    expect(theirs.body.data.id).not.toBe(a.body.data.id);
    expect((await balances(someoneElse.userId)).wallet).toBe(9700);
  });

  it('hostile: many concurrent starts at a station with one ready power bank → one active, clear 422s, no money moved', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }]);
    const users = await Promise.all(Array.from({ length: 40 }, () => aUser(10_000)));
    const results = await Promise.all(users.map((u) => start(u, startBody(one.sn))));
    const ok = results.filter((r) => r.status === 200);
    expect(ok.map((r) => r.body.data.status)).toEqual(['active']);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(39);
    for (const r of refused) {
      expect(r.status).toBe(422);
      expect(r.body.error.details).toMatchObject({ reason: 'no_power_bank' });
    }
    const all = await Promise.all(users.map((u) => balances(u.userId)));
    expect(all.filter((b) => b.wallet === 10_000 && b.points === 50)).toHaveLength(39);
  });

  it('cancel while pending is refunded; location batches and issues are recorded during the rental', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }]);
    const user = await aUser(10_000);
    const { body } = await startActive(user, startBody(one.sn));
    const id = body.data.id;
    const located = await api.rest(
      'POST',
      `/api/rentals/${id}/location`,
      {
        points: [
          { latitude: 52.52, longitude: 13.4, recorded_at: new Date().toISOString() },
          { latitude: 52.53, longitude: 13.41, accuracy_m: 5, recorded_at: new Date().toISOString() },
        ],
      },
      bearer(user.token),
    );
    expect(located.body.data).toEqual({ recorded: 2 });
    const issue = await api.rest(
      'POST',
      `/api/rentals/${id}/report-issue`,
      { issue_type: 'not_charging', description: 'it does not charge' },
      bearer(user.token),
    );
    expect(issue.status).toBe(200);
    expect(issue.body.data).toMatchObject({ rental_id: id, status: 'open' });
    // Active with the power bank out: cancel is refused (422), not silently ignored.
    const refused = await api.rest('POST', `/api/rentals/${id}/cancel`, {}, bearer(user.token));
    expect(refused.status).toBe(422);
    // A pending rental (as if the station had not answered yet) cancels for free.
    await h.sql(`update rental set status = 'pending' where id = ?`, [id]);
    const cancelled = await api.rest('POST', `/api/rentals/${id}/cancel`, {}, bearer(user.token));
    expect(cancelled.body.data.status).toBe('cancelled');
    expect(await balances(user.userId)).toEqual({ wallet: 10_000, points: 50 });
    const stranger = await aUser(0);
    expect((await api.rest('POST', `/api/rentals/${id}/cancel`, {}, bearer(stranger.token))).status).toBe(
      404,
    );
  });

  it('jobs: a return the runner never heard of is reconciled once by two concurrent runners, and announced', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }]);
    const two = await aStation([]);
    const user = await aUser(10_000);
    const { body } = await startActive(user, startBody(one.sn));
    // What station-core projects when the power bank is put back, with the return event lost on the way.
    await h.sql(
      `update power_bank set status = 'in_slot', current_rental_id = null, last_seen_at = now() + interval '1 second',
              current_station_id = (select id from station where serial_number = ?), current_slot_index = 2
        where serial_number = ?`,
      [two.sn, body.data.power_bank_serial],
    );
    const announced: string[] = [];
    const onSettled = h.nats.subscribe(subjects(h.prefix).rentalEvent('settled'), {
      callback: (_err, msg) => {
        announced.push(rentalSettledEvent.parse(msg.json()).rentalId);
      },
    });
    const hooks = {
      onReturned: (rental: { id: string; status: string }) => {
        if (rental.status === 'settled') announced.push(rental.id);
      },
    };
    const em = () => api.deps.orm.em.fork();
    await Promise.all([runRentalTimers(em(), new Date(), hooks), runRentalTimers(em(), new Date(), hooks)]);
    expect((await rentalRow(body.data.id))?.status).toBe('settled');
    // Once, by whichever runner applied it (these two, or the harness's own station-core).
    await expect.poll(() => announced.filter((id) => id === body.data.id).length, poll).toBe(1);
    onSettled.unsubscribe();
    // Paid 500 in points and 300 from the wallet at the start; +5 and +50 back at the timely return.
    expect(await balances(user.userId)).toEqual({ wallet: 9700, points: 55 });
  });

  it('jobs: a late success told after its power bank was put back returns the rental there, from its start', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }]);
    const user = await aUser(10_000);
    const { body } = await startActive(user, startBody(one.sn));
    // The station's answer came after the timeout, and its return overtook it: station-core left the
    // power bank in the slot it went back to, put there before the rental (re)started.
    await h.sql(
      `update power_bank set status = 'in_slot', current_rental_id = null, current_slot_index = 1,
              current_station_id = (select id from station where serial_number = ?),
              placed_at = now() - interval '1 minute', last_seen_at = now() - interval '1 minute'
        where serial_number = ?`,
      [one.sn, body.data.power_bank_serial],
    );
    await runRentalTimers(api.deps.orm.em.fork(), new Date());
    const [row] = await h.sql<{ status: string; at_start: boolean }>(
      'select status, returned_at = started_at as at_start from rental where id = ?',
      [body.data.id],
    );
    expect(row).toEqual({ status: 'settled', at_start: true });
  });

  it('jobs: overdue and lost are applied once across two concurrent runners; lost charges the price', async () => {
    const one = await aStation([{ slot: 1, battery: 90 }]);
    const user = await aUser(10_000);
    const { body } = await startActive(user, startBody(one.sn));
    await h.sql(`update rental set due_at = now() - interval '1 minute' where id = ?`, [body.data.id]);
    await Promise.all([runRentalTimers(api.deps.orm.em.fork()), runRentalTimers(api.deps.orm.em.fork())]);
    expect((await rentalRow(body.data.id))?.status).toBe('overdue');
    await h.sql(`update rental set due_at = now() - interval '25 hours' where id = ?`, [body.data.id]);
    await Promise.all([runRentalTimers(api.deps.orm.em.fork()), runRentalTimers(api.deps.orm.em.fork())]);
    expect((await rentalRow(body.data.id))?.status).toBe('lost');
    // 800 at start (500 in points), then the power bank's price 3000 once.
    expect(await balances(user.userId)).toEqual({ wallet: 9700 - 3000, points: 0 });
    const notices = await h.sql<{ type: string }>('select type from notification where user_id = ?', [
      user.userId,
    ]);
    expect(notices.filter((n) => n.type === 'rental_overdue')).toHaveLength(1);
    expect(notices.filter((n) => n.type === 'rental_lost')).toHaveLength(1);
  });
});
