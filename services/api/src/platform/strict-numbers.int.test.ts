import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPaymentMethods } from '../modules/payment/payment.testing.ts';
import { bearer, type SignedUp, signUp } from '../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';

/** Strings, hex, exponents, floats and other non-integers a legacy client or an attacker might send. */
const NOT_INTEGERS: unknown[] = ['1000', '0x3E8', '1e3', ' 1000', '', 1000.5, true, [1000], { n: 1000 }];
/** Query values that are not plain decimal digits (or not within range). */
const NOT_DIGITS = ['0x10', '1e1', ' 2', '2 ', '+2', '2.0', '-1', '１２', '99999999999999999999'];

const RENTAL = '0197a0b4-7e3c-7c4f-9a2b-3c4d5e6f7a8b';
const TRANSACTION = '0197a0b4-7e3c-7c4f-9a2b-3c4d5e6f7a8c';
const payment = { payment_mode: 'split', idempotency_key: 'strict-numbers-1' };

/** Every money or count field of a JSON body: the path, a valid body, and the field (dotted) to spoil. */
const BODY_FIELDS: { path: string; body: Record<string, unknown>; field: string }[] = [
  {
    path: '/api/payment/wallet/topup-intent',
    body: { amount: 1000, payment_method: 'sandbox_card' },
    field: 'amount',
  },
  { path: '/api/payment/calculate-options', body: { amount: 1000 }, field: 'amount' },
  { path: '/api/payment/calculate-options', body: { package_id: 1 }, field: 'package_id' },
  {
    path: `/api/payment/refund/${TRANSACTION}`,
    body: { amount: 100, reason: 'broken power bank' },
    field: 'amount',
  },
  {
    path: '/api/rentals/start',
    body: { station_sn: 'PB-NONE', package_id: 1, ...payment },
    field: 'package_id',
  },
  {
    path: '/api/rentals/start',
    body: { station_sn: 'PB-NONE', package_id: 1, ...payment, split: { wallet_amount: 1, points: 0 } },
    field: 'split.wallet_amount',
  },
  {
    path: '/api/rentals/start',
    body: { station_sn: 'PB-NONE', package_id: 1, ...payment, split: { wallet_amount: 1, points: 0 } },
    field: 'split.points',
  },
  { path: `/api/rentals/${RENTAL}/extend`, body: { package_id: 1, ...payment }, field: 'package_id' },
  {
    path: `/api/rentals/${RENTAL}/pay-due`,
    body: { ...payment, split: { wallet_amount: 1, points: 0 } },
    field: 'split.wallet_amount',
  },
  {
    path: `/api/rentals/${RENTAL}/location`,
    body: {
      points: [{ latitude: 1, longitude: 1, accuracy_m: 5, recorded_at: '2026-01-01T00:00:00Z' }],
    },
    field: 'points.0.accuracy_m',
  },
];

/** Every integer query parameter: the path with the other parameters it needs, and the parameter. */
const QUERY_FIELDS: { path: string; field: string }[] = [
  { path: '/api/app/stations?', field: 'page' },
  { path: '/api/app/stations?', field: 'page_size' },
  { path: '/api/app/stations/nearby?lat=52.5&lng=13.4&', field: 'radius' },
  { path: '/api/app/stations/nearby?lat=52.5&lng=13.4&', field: 'page' },
  { path: '/api/stations/favorites?', field: 'page' },
  { path: '/api/stations/my-reports?', field: 'page_size' },
  { path: '/api/rentals/history?', field: 'page' },
  { path: '/api/user/transactions?', field: 'page_size' },
  { path: '/api/points/history?', field: 'page' },
  { path: '/api/payment/refunds?', field: 'page' },
];

function withField(body: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = dotted.split('.');
  let at: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[keys.at(-1)!] = value;
  return copy;
}

describe('money and counts are integers, never coerced from strings', () => {
  let api: TestApi;
  let alice: SignedUp;

  /** What a refused request must leave as it was. */
  const counts = async () => {
    const [row] = await api.deps.orm.em.fork().execute<Record<string, string>[]>(
      `select (select count(*) from payment_intent) as intents, (select count(*) from rental) as rentals,
              (select count(*) from wallet_transaction) as wallet_tx, (select count(*) from refund) as refunds`,
    );
    return row;
  };

  beforeAll(async () => {
    api = await createTestApi();
    await seedPaymentMethods(api);
    alice = await signUp(api);
  });
  afterAll(() => api.close());

  it('refuses a string, hex, exponent or float amount for a top-up with 400 naming the field (REST)', async () => {
    const before = await counts();
    for (const amount of ['1000', '0x3E8', '1e3', 1000.5]) {
      const res = await api.rest(
        'POST',
        '/api/payment/wallet/topup-intent',
        { amount, payment_method: 'sandbox_card' },
        bearer(alice.token),
      );
      expect(res.status, `amount ${JSON.stringify(amount)}`).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual(['amount']);
    }
    expect(await counts()).toEqual(before);
    // The same amount as a number is taken.
    const ok = await api.rest(
      'POST',
      '/api/payment/wallet/topup-intent',
      { amount: 1000, payment_method: 'sandbox_card' },
      bearer(alice.token),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('refuses a string amount over tRPC too', async () => {
    const response = await api.fetch('http://api.test/trpc/payment.topupIntent', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(alice.token) },
      body: JSON.stringify(superjson.serialize({ amount: '1000', payment_method: 'sandbox_card' })),
    });
    expect(response.status).toBe(400);
  });

  it('refuses every non-integer in every money and count field of a body, changing nothing', async () => {
    const before = await counts();
    for (const { path, body, field } of BODY_FIELDS) {
      for (const value of NOT_INTEGERS) {
        const res = await api.rest('POST', path, withField(body, field, value), bearer(alice.token));
        const what = `${path} ${field}=${JSON.stringify(value)}`;
        expect(res.status, what).toBe(400);
        expect(res.body.error.code, what).toBe('VALIDATION_FAILED');
        expect(
          res.body.error.details.fields.map((f: { path: string }) => f.path),
          what,
        ).toContain(field);
      }
    }
    expect(await counts()).toEqual(before);
  });

  it('reads integer query parameters from decimal digits only', async () => {
    for (const { path, field } of QUERY_FIELDS) {
      const ok = await api.rest('GET', `${path}${field}=2`, undefined, bearer(alice.token));
      expect(ok.status, `${path}${field}=2 ${JSON.stringify(ok.body)}`).toBe(200);
      for (const value of NOT_DIGITS) {
        const res = await api.rest(
          'GET',
          `${path}${field}=${encodeURIComponent(value)}`,
          undefined,
          bearer(alice.token),
        );
        const what = `${path}${field}=${JSON.stringify(value)}`;
        expect(res.status, what).toBe(400);
        expect(
          res.body.error.details.fields.map((f: { path: string }) => f.path),
          what,
        ).toContain(field);
      }
    }
  });

  it('reads coordinates in decimal notation only, and dates as ISO dates', async () => {
    const nearby = (query: string) =>
      api.rest('GET', `/api/app/stations/nearby?${query}`, undefined, bearer(alice.token));
    expect((await nearby('lat=52.52&lng=-13.4')).status).toBe(200);
    for (const lat of ['0x10', '5e1', ' 52', 'Infinity', 'NaN', '']) {
      const res = await nearby(`lat=${encodeURIComponent(lat)}&lng=13.4`);
      expect(res.status, `lat=${lat}`).toBe(400);
    }
    const transactions = (query: string) =>
      api.rest('GET', `/api/user/transactions?${query}`, undefined, bearer(alice.token));
    expect((await transactions('from=2026-01-01&to=2026-02-01T00:00:00Z')).status).toBe(200);
    for (const from of ['1000', '0', 'yesterday']) {
      expect((await transactions(`from=${from}`)).status, `from=${from}`).toBe(400);
    }
  });
});
