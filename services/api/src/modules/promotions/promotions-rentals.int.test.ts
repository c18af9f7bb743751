import { createApiClient } from '@powerbank/api-client';
import { Coupon } from '@powerbank/db';
import { ledger } from '@powerbank/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreHarness } from '../../../../station-core/src/testing/core-harness.ts';
import { bearer, type SignedUp, setAppConfig, signUp } from '../../testing/auth-helpers.ts';
import { aRentalPackage } from '../../testing/rental-packages.ts';
import { startRentalStack } from '../../testing/rental-stack.ts';
import { aStation } from '../../testing/stations.ts';
import type { TestApi } from '../../testing/test-app.ts';

const poll = { timeout: 10_000, interval: 100 };
let h: CoreHarness;
let api: TestApi;
let prepaid: number;
let postpaid: number;

beforeAll(async () => {
  ({ h, api } = await startRentalStack());
  await setAppConfig(api, { otp_sends_per_ip_hour: 100_000, rental_starts_per_minute: 1000 });
  const em = api.deps.orm.em.fork();
  const a = aRentalPackage(em, 'hour', {});
  const b = aRentalPackage(em, 'payg', {
    paymentModel: 'postpaid',
    price: 0,
    durationMinutes: 1440,
    perMinuteRate: 5,
  });
  await em.flush();
  prepaid = a.id;
  postpaid = b.id;
}, 60_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** A signed-up user with 10,000 in the wallet and no points (so a payment shows in the wallet alone). */
async function aUser(extra: Record<string, unknown> = {}): Promise<SignedUp> {
  const user = await signUp(api, extra);
  const em = api.deps.orm.em.fork();
  await ledger.creditWallet(em, {
    userId: user.userId,
    amount: 10_000,
    type: 'topup',
    idempotencyKey: `t:${user.userId}`,
  });
  await ledger.debitPoints(em, {
    userId: user.userId,
    amount: 50,
    type: 'adjustment',
    idempotencyKey: `p:${user.userId}`,
  });
  return user;
}

let codes = 0;
async function aDiscountCoupon(kind: 'percent_discount' | 'amount_discount', value: number): Promise<Coupon> {
  codes += 1;
  const em = api.deps.orm.em.fork();
  const coupon = em.create(Coupon, {
    code: `RIDE${process.pid}X${codes}`,
    kind,
    value,
    currency: 'USD',
    validFrom: new Date(Date.now() - 86_400_000),
    validTo: new Date(Date.now() + 86_400_000),
  });
  await em.flush();
  return coupon;
}

const apply = async (user: SignedUp, code: string) => {
  const res = await api.rest('POST', '/api/promotions/apply-coupon', { code }, bearer(user.token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
};
const options = (user: SignedUp, packageId = prepaid) =>
  api.rest('POST', '/api/payment/calculate-options', { package_id: packageId }, bearer(user.token));
const start = (user: SignedUp, sn: string, packageId = prepaid) =>
  api.rest(
    'POST',
    '/api/rentals/start',
    {
      station_sn: sn,
      package_id: packageId,
      payment_mode: 'wallet',
      idempotency_key: `k-${crypto.randomUUID()}`,
    },
    bearer(user.token),
  );
const wallet = async (userId: string) =>
  Number(
    (await h.sql<{ balance: string }>('select balance from wallet where user_id = ?', [userId]))[0]?.balance,
  );
const client = (user: SignedUp) =>
  createApiClient({ url: 'http://api.test', fetch: api.fetch, token: user.token });

describe('a discount coupon on the next rental', () => {
  it('calculate-options prices the package with it; the start pays the discounted price and uses the coupon once', async () => {
    const station = await aStation(h, [
      { slot: 1, battery: 90 },
      { slot: 2, battery: 90 },
    ]);
    const user = await aUser();
    const coupon = await aDiscountCoupon('percent_discount', 25);
    const applied = await apply(user, coupon.code.toLowerCase());

    const priced = await options(user);
    expect(priced.status).toBe(200);
    expect(priced.body.data.amount.amount).toBe(600);
    expect(priced.body.data.discount).toMatchObject({ coupon_code: coupon.code, amount: { amount: 200 } });
    const viaTrpc = await client(user).payment.calculateOptions.mutate({ package_id: prepaid });
    expect(viaTrpc.discount?.amount.amount).toBe(200);

    const res = await start(user, station.sn);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.status).toBe('active');
    expect(res.body.data.wallet_paid.amount).toBe(600);
    expect(await wallet(user.userId)).toBe(9_400);

    const mine = await client(user).promotions.myCoupons.query({});
    expect(mine.results[0]).toMatchObject({ id: applied.id, status: 'used', rental_id: res.body.data.id });
    expect(mine.results[0]?.discount?.amount).toBe(200);
    // Used: the next price is the full one.
    const after = await options(user);
    expect(after.body.data).toMatchObject({ amount: { amount: 800 }, discount: null });
  });

  it('a discount covering the whole price starts the rental with nothing to pay', async () => {
    const station = await aStation(h, [{ slot: 1, battery: 90 }]);
    const user = await aUser();
    const coupon = await aDiscountCoupon('amount_discount', 1_000);
    await apply(user, coupon.code);
    expect((await options(user)).body.data.amount.amount).toBe(0);
    const res = await start(user, station.sn);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.status).toBe('active');
    expect(res.body.data.wallet_paid.amount).toBe(0);
    expect(await wallet(user.userId)).toBe(10_000);
  });

  it('a start that fails gives the discount back with the money; the next start takes it', async () => {
    const broken = await aStation(h, [{ slot: 1, battery: 90 }], { ejectFailureRate: 1 });
    const user = await aUser();
    const coupon = await aDiscountCoupon('percent_discount', 50);
    await apply(user, coupon.code);
    const failed = await start(user, broken.sn);
    expect(failed.body.data).toMatchObject({ status: 'failed', failure_reason: 'eject_failed' });
    expect(await wallet(user.userId)).toBe(10_000);
    const mine = await client(user).promotions.myCoupons.query({});
    expect(mine.results[0]).toMatchObject({ status: 'available', rental_id: null });
    const working = await aStation(h, [{ slot: 1, battery: 90 }]);
    const res = await start(user, working.sn);
    expect(res.body.data.wallet_paid.amount).toBe(400);
    expect(await wallet(user.userId)).toBe(9_600);
  });

  it('a post-paid start leaves the discount for a later prepaid one', async () => {
    const station = await aStation(h, [{ slot: 1, battery: 90 }]);
    const user = await aUser();
    const coupon = await aDiscountCoupon('amount_discount', 300);
    await apply(user, coupon.code);
    expect((await options(user, postpaid)).body.data.discount).toBeNull();
    const res = await start(user, station.sn, postpaid);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const mine = await client(user).promotions.myCoupons.query({});
    expect(mine.results[0]?.status).toBe('available');
  });

  it('concurrent starts by one user with one discount: it is taken once, every other start pays in full or changes nothing', async () => {
    await setAppConfig(api, { max_open_rentals: 5 });
    try {
      const stations = await Promise.all(
        Array.from({ length: 5 }, () => aStation(h, [{ slot: 1, battery: 90 }])),
      );
      const user = await aUser();
      const coupon = await aDiscountCoupon('amount_discount', 300);
      await apply(user, coupon.code);
      const answers = await Promise.all(stations.map((s) => start(user, s.sn)));
      const ok = answers.filter((r) => r.status === 200);
      for (const r of answers.filter((a) => a.status !== 200)) {
        expect(r.status, JSON.stringify(r.body)).toBe(409);
      }
      expect(ok.length).toBeGreaterThanOrEqual(1);
      const paid = ok.map((r) => r.body.data.wallet_paid.amount).sort((x: number, y: number) => x - y);
      expect(paid.filter((p: number) => p === 500)).toHaveLength(1);
      expect(paid.filter((p: number) => p !== 500).every((p: number) => p === 800)).toBe(true);
      expect(await wallet(user.userId)).toBe(10_000 - paid.reduce((x: number, y: number) => x + y, 0));
      const [row] = await h.sql<{ n: string }>(
        `select count(*) as n from coupon_usage where user_id = ? and rental_id is not null`,
        [user.userId],
      );
      expect(Number(row?.n)).toBe(1);
    } finally {
      await setAppConfig(api, { max_open_rentals: 1 });
    }
  });
});

describe('a referral rewarded end to end', () => {
  it("the invitee's first rental, returned at a station, pays the inviter 100 and the invitee 50 points", async () => {
    const one = await aStation(h, [{ slot: 1, battery: 90 }]);
    const two = await aStation(h, [{ slot: 2, battery: 90 }]);
    const inviter = await aUser();
    const invitee = await aUser();
    expect(
      (await api.rest('POST', '/api/referral/claim', { code: inviter.referralCode }, bearer(invitee.token)))
        .status,
    ).toBe(200);
    const res = await start(invitee, one.sn);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await two.sim.insert(two.sn, 1, one.serials[0]!, 80);
    const referralPoints = async (userId: string) =>
      Number(
        (
          await h.sql<{ p: string }>(
            `select coalesce(sum(points), 0) as p from points_transaction where user_id = ? and type = 'referral'`,
            [userId],
          )
        )[0]?.p,
      );
    await expect.poll(() => referralPoints(invitee.userId), poll).toBe(50);
    expect(await referralPoints(inviter.userId)).toBe(100);
    const mine = await client(inviter).referral.myCode.query({});
    expect(mine).toMatchObject({ invited: 1, rewarded: 1, points_earned: 100 });
  });
});
