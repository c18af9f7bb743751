import { createApiClient } from '@powerbank/api-client';
import { AdminActionLog, AppConfig, RentalPackage, StationAmenityMapping } from '@powerbank/db';
import { connectNats, type NatsConnection } from '@powerbank/messaging';
import { anyRow, newNatsPrefix } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheSubjects } from '../../platform/static-cache.ts';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import { bearer, type SignedUp, setAppConfig, signUpAdmin } from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

const { prefix } = newNatsPrefix();
let first: TestApi;
let second: TestApi;
let outsider: NatsConnection;
let ops: SignedUp;
let finance: SignedUp;

beforeAll(async () => {
  first = await createTestApi({ env: { NATS_PREFIX: prefix } });
  second = await createTestApi({ env: { NATS_PREFIX: prefix }, databaseUrl: first.databaseUrl });
  await setAppConfig(first, { otp_sends_per_ip_hour: 10_000 });
  outsider = await connectNats(first.deps.env.NATS_URL, 'admin-catalogue-test');
  await Promise.all([first.deps.nats.flush(), second.deps.nats.flush()]);
  ops = await signUpAdmin(first, 'operations');
  finance = await signUpAdmin(first, 'finance');
}, 60_000);
afterAll(async () => {
  await outsider?.close();
  await second?.close();
  await first?.close();
});

const em = () => first.deps.orm.em.fork();
const poll = { timeout: 5_000, interval: 50 };

describe('catalogue changes reach every api instance', () => {
  it('a FAQ entry added, changed and deactivated on one instance shows on the other at once (its cache dropped)', async () => {
    const questions = async () =>
      (await second.rest('GET', '/api/content/faq')).body.data.categories.flatMap(
        (c: { items: { question: string }[] }) => c.items.map((i) => i.question),
      );
    expect(await questions()).not.toContain('Where do I return it?'); // now cached on the second instance
    const created = await first.rest(
      'POST',
      '/api/admin/catalogue/faq',
      { question: 'Where do I return it?', answer: 'At any station.' },
      bearer(ops.token),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.data).toMatchObject({ category: 'general', isActive: true, locale: 'en' });
    const id = created.body.data.id;
    await expect.poll(questions, poll).toContain('Where do I return it?');

    const changed = await first.rest(
      'PATCH',
      `/api/admin/catalogue/faq/${id}`,
      { question: 'Where can I return it?' },
      bearer(ops.token),
    );
    expect(changed.body.data).toMatchObject({
      id,
      question: 'Where can I return it?',
      answer: 'At any station.',
    });
    await expect.poll(questions, poll).toContain('Where can I return it?');

    const removed = await first.rest(
      'DELETE',
      `/api/admin/catalogue/faq/${id}`,
      undefined,
      bearer(ops.token),
    );
    expect(removed.body.data).toEqual({ id, removed: 'deactivated' });
    await expect.poll(questions, poll).not.toContain('Where can I return it?');
    const actions = await em().find(
      AdminActionLog,
      { targetType: 'faq', targetId: String(id) },
      { orderBy: { createdAt: 'asc' } },
    );
    expect(actions.map((a) => a.action)).toEqual([
      'catalogue.faq.create',
      'catalogue.faq.update',
      'catalogue.faq.deactivate',
    ]);
    expect(actions[1]?.before).toMatchObject({ question: 'Where do I return it?' });
  });

  it('a setting set on one instance is announced to every instance (app_config invalidation)', async () => {
    const seen = outsider.subscribe(cacheSubjects(prefix).invalidate(STATIC_TABLES.appConfig), { max: 1 });
    await outsider.flush();
    const set = await first.rest(
      'PUT',
      '/api/admin/settings/late_fee_grace_minutes',
      { value: 5, reason: 'new policy' },
      bearer(finance.token),
    );
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    for await (const message of seen) expect(message.subject).toContain('app_config');
  });
});

describe('catalogue rows are validated, and refusals are typed', () => {
  it('rental packages: invalid values 400, a duplicate code 409, an update changes only what is sent, remove deactivates', async () => {
    const client = createApiClient({ url: 'http://api.test', fetch: first.fetch, token: finance.token });
    const code = `P${Date.now()}`;
    const create = (body: Record<string, unknown>) =>
      first.rest('POST', '/api/admin/catalogue/packages', body, bearer(finance.token));
    const valid = { code, name: 'Two hours', durationMinutes: 120, price: 1_200, perMinuteRate: 10 };
    expect((await create({ ...valid, price: -1 })).status).toBe(400);
    expect((await create({ ...valid, price: 12.5 })).status).toBe(400);
    expect((await create({ ...valid, unknown: 1 })).status).toBe(400);
    const made = await client.admin.catalogue.packages.create.mutate(valid);
    expect(made).toMatchObject({
      code,
      paymentModel: 'prepaid',
      depositAmount: 0,
      currency: 'USD',
      isActive: true,
    });
    const duplicate = await create(valid);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('CONFLICT');
    const repriced = await client.admin.catalogue.packages.update.mutate({ id: made.id, price: 1_500 });
    expect(repriced).toMatchObject({ price: 1_500, name: 'Two hours', durationMinutes: 120 });
    const listed = await client.admin.catalogue.packages.list.query();
    expect(listed.results.find((p) => p.id === made.id)?.price).toBe(1_500);
    expect(await client.admin.catalogue.packages.remove.mutate({ id: made.id })).toEqual({
      id: made.id,
      removed: 'deactivated',
    });
    expect((await em().findOneOrFail(RentalPackage, { id: made.id })).isActive).toBe(false);
    const missing = await first.rest(
      'PATCH',
      '/api/admin/catalogue/packages/999999',
      { price: 1 },
      bearer(finance.token),
    );
    expect(missing.status).toBe(404);
  });

  it('payment methods: min above max is refused by the database check as 400, nothing written', async () => {
    const before = await em().count(AdminActionLog, { targetType: 'payment-methods' });
    const refused = await first.rest(
      'POST',
      '/api/admin/catalogue/payment-methods',
      { code: `m${Date.now()}`, name: 'Card', gateway: 'sandbox', minAmount: 500, maxAmount: 100 },
      bearer(finance.token),
    );
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(await em().count(AdminActionLog, { targetType: 'payment-methods' })).toBe(before);
  });

  it('amenities are deleted; one still named by a station is refused', async () => {
    const made = await first.rest(
      'POST',
      '/api/admin/catalogue/amenities',
      { code: `wifi${Date.now()}`, name: 'Wi-Fi' },
      bearer(ops.token),
    );
    const remove = (id: number) =>
      first.rest('DELETE', `/api/admin/catalogue/amenities/${id}`, undefined, bearer(ops.token));
    expect((await remove(made.body.data.id)).body.data.removed).toBe('deleted');
    const tx = em();
    const named = anyRow(tx, StationAmenityMapping, {});
    await tx.flush();
    const refused = await remove(named.amenity.id);
    expect(refused.status).toBe(409);
    expect(await em().count(StationAmenityMapping, { id: named.id })).toBe(1);
  });
});

describe('settings: a registry of known keys with typed values', () => {
  it('lists the late-fee figures with their defaults; refuses an unknown key and a wrong value; sets a valid one', async () => {
    const lateFees = await first.rest(
      'GET',
      '/api/admin/settings?group=late_fee',
      undefined,
      bearer(ops.token),
    );
    const keys = lateFees.body.data.results.map((s: { key: string }) => s.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'late_fee_grace_minutes',
        'late_fee_multiplier',
        'late_fee_daily_cap',
        'late_fee_hourly_flat',
      ]),
    );
    expect(lateFees.body.data.results.every((s: { group: string }) => s.group === 'late_fee')).toBe(true);

    const set = (key: string, value: unknown) =>
      first.rest(
        'PUT',
        `/api/admin/settings/${key}`,
        { value, reason: 'policy change' },
        bearer(finance.token),
      );
    const before = await em().count(AdminActionLog, { targetType: 'app_config' });
    for (const [key, value] of [
      ['late_fee_multiplier', 0.5],
      ['late_fee_multiplier', 'two'],
      ['late_fee_daily_cap', -1],
      ['late_fee_daily_cap', 1.5],
      ['kyc_required_for_rental', 'yes'],
      ['topup_points_rate_pct', 150],
      ['late_fees_multiplier', 2],
    ] as const) {
      const refused = await set(key, value);
      expect(refused.status, `${key}=${value}`).toBe(400);
    }
    expect(await em().count(AdminActionLog, { targetType: 'app_config' })).toBe(before);
    expect((await em().findOne(AppConfig, { key: 'late_fee_multiplier' }))?.value ?? 2).toBe(2);

    const ok = await set('late_fee_multiplier', 1.5);
    expect(ok.body.data).toMatchObject({
      key: 'late_fee_multiplier',
      value: 1.5,
      defaultValue: 2,
      group: 'late_fee',
    });
    expect((await em().findOneOrFail(AppConfig, { key: 'late_fee_multiplier' })).value).toBe(1.5);
    expect((await set('kyc_required_for_rental', true)).body.data.value).toBe(true);
    const [log] = await em().find(AdminActionLog, { targetId: 'late_fee_multiplier' });
    expect(log).toMatchObject({ action: 'settings.set', reason: 'policy change', after: { value: 1.5 } });
  });
});
