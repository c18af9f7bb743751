import type { EntityManager } from '@mikro-orm/postgresql';
import { createApiClient } from '@powerbank/api-client';
import {
  openOrm,
  Refund,
  Rental,
  type RentalPackage,
  refreshAnalytics,
  type Station,
  StationUptimeDay,
  Transaction,
  User,
} from '@powerbank/db';
import { createTestDatabase } from '@powerbank/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin, useTestApi } from '../../../testing/auth-helpers.ts';
import { aRentalPackage } from '../../../testing/rental-packages.ts';
import { aStation } from '../../stations/station.builders.ts';
import { runReport } from './analytics.service.ts';
import { REPORTS } from './analytics-reports.ts';

const api = useTestApi();
const NOVEMBER = { from: '2026-11-01', to: '2026-11-30' };
const at = (iso: string) => new Date(`2026-${iso}Z`);

interface Seeded {
  stationA: Station;
  stationB: Station;
  hour: RentalPackage;
  day: RentalPackage;
}

/**
 * Known rows, all in November 2026 except one rental on 31 October (outside the range). Each
 * figure the tests expect is worked out from these rows in a comment beside it.
 */
async function seed(em: EntityManager, u1: string, u2: string): Promise<Seeded> {
  const stationA = aStation(em, { slots: [{ status: 'empty' }, { status: 'empty' }] });
  const stationB = aStation(em, { slots: [{ status: 'empty' }, { status: 'empty' }] });
  const hour = aRentalPackage(em, `ANA-H-${crypto.randomUUID().slice(0, 8)}`);
  const day = aRentalPackage(em, `ANA-D-${crypto.randomUUID().slice(0, 8)}`, { price: 2000 });
  const user = (id: string) => em.getReference(User, id);
  const rental = (
    who: string,
    pkg: RentalPackage,
    station: Station,
    fields: Partial<Rental> & Pick<Rental, 'status' | 'paymentMode'>,
  ) =>
    em.create(Rental, {
      user: user(who),
      package: pkg,
      startStation: station,
      idempotencyKey: crypto.randomUUID(),
      ...fields,
    });
  const pay = (
    who: string,
    type: Transaction['type'],
    amount: number,
    paidAt: Date,
    fields: Partial<Transaction> = {},
  ) =>
    em.create(Transaction, {
      user: user(who),
      type,
      status: 'succeeded',
      amount,
      gateway: 'wallet',
      paidAt,
      ...fields,
    });

  // r1: returned on time after 30 min.
  const r1 = rental(u1, hour, stationA, {
    status: 'settled',
    paymentMode: 'wallet',
    startedAt: at('11-10T10:00:00'),
    dueAt: at('11-10T11:00:00'),
    returnedAt: at('11-10T10:30:00'),
  });
  const r1Payment = pay(u1, 'rental', 800, at('11-10T10:00:00'), { rental: r1 });
  // r2: a day's rental returned 2 h late (26 h out), a 300 fine the next day.
  const r2 = rental(u2, day, stationA, {
    status: 'settled',
    paymentMode: 'points',
    startedAt: at('11-10T12:00:00'),
    dueAt: at('11-11T12:00:00'),
    returnedAt: at('11-11T14:00:00'),
  });
  pay(u2, 'rental', 2000, at('11-10T12:00:00'), { rental: r2, gateway: 'points' });
  pay(u2, 'fine', 300, at('11-11T14:00:00'), { rental: r2 });
  // r3: lost (out 1 h until its due time), 5000 still owed.
  const r3 = rental(u1, hour, stationB, {
    status: 'lost',
    paymentMode: 'wallet_points',
    startedAt: at('11-12T09:00:00'),
    dueAt: at('11-12T10:00:00'),
    dueAmount: 5000,
  });
  pay(u1, 'rental', 800, at('11-12T09:00:00'), { rental: r3 });
  // r4: failed before dispensing; its payment failed too (no revenue).
  const r4 = rental(u2, hour, stationB, { status: 'failed', paymentMode: 'wallet' });
  pay(u2, 'rental', 800, at('11-13T08:00:00'), { rental: r4, status: 'failed', paidAt: null });
  // r5: 31 October, outside the range.
  const r5 = rental(u1, hour, stationA, {
    status: 'settled',
    paymentMode: 'wallet',
    startedAt: at('10-31T23:00:00'),
    dueAt: at('11-01T00:00:00'),
    returnedAt: at('10-31T23:30:00'),
  });
  pay(u1, 'rental', 800, at('10-31T23:00:00'), { rental: r5 });
  // Top-ups: two succeeded, one failed.
  pay(u1, 'topup', 5000, at('11-05T09:00:00'), { gateway: 'sandbox' });
  pay(u2, 'topup', 1000, at('11-06T09:00:00'), { gateway: 'sandbox', status: 'failed' });
  pay(u2, 'topup', 2500, at('11-10T08:00:00'), { gateway: 'sandbox' });
  // Refunds: one paid out, one still waiting.
  const refund = (amount: number, status: Refund['status'], processedAt: Date | null) =>
    em.create(Refund, {
      transaction: r1Payment,
      user: user(u1),
      amount,
      reason: 'test',
      status,
      processedAt,
    });
  refund(1000, 'processed', at('11-20T12:00:00'));
  refund(500, 'requested', null);
  await em.flush();
  // r4 was made (and failed) on 13 November.
  await em.nativeUpdate(Rental, { id: r4.id }, { createdAt: at('11-13T08:00:00') });
  // Uptime as the job would have sampled it: A online all of 10 Nov and half of 11 Nov, B offline.
  const uptime = (station: Station, day: string, observed: number, online: number) =>
    em.create(StationUptimeDay, {
      station,
      day: `2026-${day}`,
      observedSeconds: observed,
      onlineSeconds: online,
      lastObservedAt: at(`${day}T23:59:00`),
    });
  uptime(stationA, '11-10', 86_400, 86_400);
  uptime(stationA, '11-11', 86_400, 43_200);
  uptime(stationB, '11-12', 3_600, 0);
  await em.flush();
  return { stationA, stationB, hour, day };
}

const query = (range: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(range).map(([k, v]): [string, string] => [k, String(v)])).toString();

describe('admin analytics', () => {
  let finance: SignedUp;
  let seeded: Seeded;
  const get = (path: string, who: SignedUp | null, range: Record<string, string | number> = NOVEMBER) =>
    api().rest(
      'GET',
      `/api/admin/analytics/${path}?${query(range)}`,
      undefined,
      who ? bearer(who.token) : {},
    );
  const client = (who: SignedUp) =>
    createApiClient({ url: 'http://api.test', fetch: api().fetch, token: who.token }).admin.analytics;

  beforeAll(async () => {
    finance = await signUpAdmin(api(), 'finance');
    const [u1, u2] = [await signUp(api()), await signUp(api())];
    seeded = await seed(api().deps.orm.em.fork(), u1.userId, u2.userId);
    expect((await refreshAnalytics(api().deps.orm)).refreshed).toBe(true);
  });

  it('revenue by day, package and payment mode: succeeded rental charges in the range, to the unit', async () => {
    // 10 Nov: r1 800 + r2 2000; 11 Nov: r2's fine 300; 12 Nov: r3 800. r4 failed, r5 in October.
    const byDay = await get('revenue-by-day', finance);
    expect(byDay.status, JSON.stringify(byDay.body)).toBe(200);
    expect(byDay.body.data).toMatchObject({ from: '2026-11-01', to: '2026-11-30' });
    expect(byDay.body.data.rows).toEqual([
      { day: '2026-11-10', currency: 'USD', payments: 2, amount: 2800 },
      { day: '2026-11-11', currency: 'USD', payments: 1, amount: 300 },
      { day: '2026-11-12', currency: 'USD', payments: 1, amount: 800 },
    ]);
    // Day package: r2 2000 + 300; hour package: r1 800 + r3 800. Largest first.
    expect((await client(finance).revenueByPackage.query(NOVEMBER)).rows).toEqual([
      {
        package_id: seeded.day.id,
        package_code: seeded.day.code,
        package_name: seeded.day.name,
        currency: 'USD',
        payments: 2,
        amount: 2300,
      },
      {
        package_id: seeded.hour.id,
        package_code: seeded.hour.code,
        package_name: seeded.hour.name,
        currency: 'USD',
        payments: 2,
        amount: 1600,
      },
    ]);
    expect((await client(finance).revenueByPaymentMode.query(NOVEMBER)).rows).toEqual([
      { payment_mode: 'points', currency: 'USD', payments: 2, amount: 2300 },
      { payment_mode: 'wallet', currency: 'USD', payments: 1, amount: 800 },
      { payment_mode: 'wallet_points', currency: 'USD', payments: 1, amount: 800 },
    ]);
  });

  it('stations: revenue, rentals, utilisation and uptime per station, best first', async () => {
    const rows = (await client(finance).stations.query(NOVEMBER)).rows;
    expect(rows).toEqual([
      {
        station_id: seeded.stationA.id,
        serial_number: seeded.stationA.serialNumber,
        name: seeded.stationA.name,
        currency: 'USD',
        rentals: 2,
        payments: 3,
        amount: 3100,
        // r1 30 min + r2 26 h = 95 400 s; over 2 slots × 30 days = 5 184 000 s: 1.84%.
        rental_minutes: 1590,
        utilisation_bp: 184,
        // 129 600 s online of 172 800 s observed.
        uptime_bp: 7500,
      },
      {
        station_id: seeded.stationB.id,
        serial_number: seeded.stationB.serialNumber,
        name: seeded.stationB.name,
        currency: 'USD',
        // r3 only (r4 never started); lost: out until its due time, 1 h.
        rentals: 1,
        payments: 1,
        amount: 800,
        rental_minutes: 60,
        utilisation_bp: 7,
        uptime_bp: 0,
      },
    ]);
    const top = await get('stations', finance, { ...NOVEMBER, limit: 1 });
    expect(top.body.data.rows.map((r: { station_id: string }) => r.station_id)).toEqual([seeded.stationA.id]);
  });

  it('stations over any range: months, weeks and days of the period view, ranked exactly', async () => {
    const figures = async (range: { from: string; to: string }) =>
      (await client(finance).stations.query(range)).rows.map((r) => [
        r.station_id,
        r.rentals,
        r.payments,
        r.amount,
      ]);
    const [a, b] = [seeded.stationA.id, seeded.stationB.id];
    // 31 October adds r5 (800) to A; October and November whole, the same; 10–11 November: r1, r2 and the fine.
    expect(await figures({ from: '2026-10-31', to: '2026-11-30' })).toEqual([
      [a, 3, 4, 3900],
      [b, 1, 1, 800],
    ]);
    expect(await figures({ from: '2026-10-01', to: '2026-11-30' })).toEqual([
      [a, 3, 4, 3900],
      [b, 1, 1, 800],
    ]);
    expect(await figures({ from: '2026-11-10', to: '2026-11-11' })).toEqual([[a, 2, 3, 3100]]);
    expect(await figures({ from: '2026-10-15', to: '2026-12-15' })).toEqual([
      [a, 3, 4, 3900],
      [b, 1, 1, 800],
    ]);
    expect(await figures({ from: '2026-12-01', to: '2026-12-31' })).toEqual([]);
  });

  it('rentals, active users, top-ups and refunds, dues: each on its day, to the unit', async () => {
    expect((await client(finance).rentals.query(NOVEMBER)).rows).toEqual([
      { day: '2026-11-10', started: 2, completed: 1, failed: 0, late: 0, lost: 0 },
      { day: '2026-11-11', started: 0, completed: 1, failed: 0, late: 1, lost: 0 },
      { day: '2026-11-12', started: 1, completed: 0, failed: 0, late: 0, lost: 1 },
      { day: '2026-11-13', started: 0, completed: 0, failed: 1, late: 0, lost: 0 },
    ]);
    // 5 Nov: u1's top-up; 10 Nov: u1 (r1) and u2 (r2, top-up); 12 Nov: u1 (r3). Sign-ups were today.
    expect((await client(finance).activeUsers.query(NOVEMBER)).rows).toEqual([
      { day: '2026-11-05', active_users: 1, new_users: 0 },
      { day: '2026-11-10', active_users: 2, new_users: 0 },
      { day: '2026-11-12', active_users: 1, new_users: 0 },
    ]);
    expect((await get('top-ups-and-refunds', finance)).body.data.rows).toEqual([
      { day: '2026-11-05', currency: 'USD', topups: 1, topup_amount: 5000, refunds: 0, refund_amount: 0 },
      { day: '2026-11-10', currency: 'USD', topups: 1, topup_amount: 2500, refunds: 0, refund_amount: 0 },
      { day: '2026-11-20', currency: 'USD', topups: 0, topup_amount: 0, refunds: 1, refund_amount: 1000 },
    ]);
    expect((await get('dues', finance)).body.data.rows).toEqual([
      { day: '2026-11-12', currency: 'USD', rentals: 1, due_amount: 5000 },
    ]);
  });

  it('CSV: each report as text/csv with a header line, the same figures', async () => {
    const res = await api().app.fetch(
      new Request(`http://api.test/api/admin/analytics/revenue-by-day.csv?${query(NOVEMBER)}`, {
        headers: bearer(finance.token),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="revenue-by-day_2026-11-01_2026-11-30.csv"',
    );
    expect(await res.text()).toBe(
      'day,currency,payments,amount\n2026-11-10,USD,2,2800\n2026-11-11,USD,1,300\n2026-11-12,USD,1,800\n',
    );
    for (const report of Object.values(REPORTS)) {
      const csv = await api().app.fetch(
        new Request(`http://api.test/api/admin/analytics/${report.path}.csv?${query(NOVEMBER)}`, {
          headers: bearer(finance.token),
        }),
      );
      expect(csv.status, report.path).toBe(200);
      const [header, ...lines] = (await csv.text()).trimEnd().split('\n');
      expect(header).toBe(Object.keys(report.row.shape).join(','));
      expect(lines.length, report.path).toBe((await get(report.path, finance)).body.data.rows.length);
    }
  });

  it('finance, operations and super_admin may read; support, customers (403) and the anonymous (401) may not', async () => {
    for (const role of ['operations', 'super_admin'] as const) {
      const admin = await signUpAdmin(api(), role);
      expect((await get('rentals', admin)).status, role).toBe(200);
      expect((await client(admin).dues.query(NOVEMBER)).rows).toHaveLength(1);
    }
    const support = await signUpAdmin(api(), 'support');
    const customer = await signUp(api());
    for (const who of [support, customer]) {
      const res = await get('rentals', who);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      const csv = await api().app.fetch(
        new Request(`http://api.test/api/admin/analytics/rentals.csv?${query(NOVEMBER)}`, {
          headers: bearer(who.token),
        }),
      );
      expect(csv.status).toBe(403);
      expect(((await csv.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
    expect((await get('rentals', null)).status).toBe(401);
  });

  it('refuses a bad range with VALIDATION_FAILED naming the field, and an unknown report with 404', async () => {
    const backwards = await get('revenue-by-day', finance, { from: '2026-11-30', to: '2026-11-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(backwards.body.error.details)).toContain('to must not be before from');
    const tooLong = await get('rentals', finance, { from: '2025-01-01', to: '2026-11-30' });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body.error.details)).toContain('at most 366 days');
    expect((await get('rentals', finance, { from: '2026-11-31', to: '2026-12-01' })).status).toBe(400);
    expect((await get('stations', finance, { ...NOVEMBER, limit: 0 })).status).toBe(400);
    const csv = await api().app.fetch(
      new Request(`http://api.test/api/admin/analytics/rentals.csv?from=2026-11-30&to=2026-11-01`, {
        headers: bearer(finance.token),
      }),
    );
    expect(csv.status).toBe(400);
    const unknown = await api().app.fetch(
      new Request(`http://api.test/api/admin/analytics/payroll.csv?${query(NOVEMBER)}`, {
        headers: bearer(finance.token),
      }),
    );
    expect(unknown.status).toBe(404);
  });

  it('figures are those of the last refresh: a new payment shows only after refreshAnalytics', async () => {
    const em = api().deps.orm.em.fork();
    const before = await get('revenue-by-day', finance);
    const rental = await em.findOneOrFail(Rental, { startStation: seeded.stationB.id, status: 'lost' });
    em.create(Transaction, {
      user: rental.user,
      type: 'due',
      status: 'succeeded',
      amount: 1234,
      gateway: 'wallet',
      paidAt: at('11-12T20:00:00'),
      rental,
    });
    await em.flush();
    expect((await get('revenue-by-day', finance)).body.data).toEqual(before.body.data);
    await refreshAnalytics(api().deps.orm);
    const after = await get('revenue-by-day', finance);
    expect(after.body.data.rows[2]).toEqual({
      day: '2026-11-12',
      currency: 'USD',
      payments: 2,
      amount: 2034,
    });
    expect(Date.parse(after.body.data.refreshed_at)).toBeGreaterThan(
      Date.parse(before.body.data.refreshed_at),
    );
  });

  it('documents every report and its CSV in the OpenAPI document under the admin tag, with a bearer token', async () => {
    const doc = (await api().rest('GET', '/api/openapi.json')).body as {
      paths: Record<string, { get?: { tags?: string[]; security?: unknown[] } }>;
    };
    for (const report of Object.values(REPORTS)) {
      for (const path of [`/admin/analytics/${report.path}`, `/admin/analytics/${report.path}.csv`]) {
        expect(doc.paths[path]?.get?.tags, path).toEqual(['admin']);
        expect(doc.paths[path]?.get?.security, path).toEqual([{ bearerAuth: [] }]);
      }
    }
  });

  it('with DATABASE_READ_URL set, reports read the replica, not the primary', async () => {
    // A "replica" with other figures: a fresh database whose views hold none of this file's rows.
    const replica = await createTestDatabase();
    const orm = await openOrm({
      DATABASE_URL: api().databaseUrl,
      DATABASE_READ_URL: replica.url,
      DB_POOL_MIN: 0,
      DB_POOL_MAX: 2,
      DB_POOL_IDLE_MS: 1_000,
    });
    try {
      const answer = await runReport(orm.em.fork(), REPORTS.revenueByDay, NOVEMBER);
      expect(answer.rows).toEqual([]);
      const primary = await runReport(api().deps.orm.em.fork(), REPORTS.revenueByDay, NOVEMBER);
      expect(primary.rows).toHaveLength(3);
    } finally {
      await orm.close(true);
      await replica.drop();
    }
  });
});
