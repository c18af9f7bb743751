import { createApiClient } from '@powerbank/api-client';
import { RentalPackage } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aRentalPackage } from '../../testing/rental-packages.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';
import { seedPaymentMethods } from './payment.testing.ts';

const packagePrice = async (api: TestApi) => {
  const res = await api.rest('GET', '/api/payment/packages');
  return res.body.data.results.find((p: { code: string }) => p.code === 'CAT1')?.price.amount as number;
};

describe('the payment catalogue (packages, methods) is public and cached', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await createTestApi();
    await seedPaymentMethods(api);
    const em = api.deps.orm.em.fork();
    aRentalPackage(em, 'CAT1', { price: 1_000 });
    await em.flush();
  });
  afterAll(() => api?.close());

  it('answers without a session over REST and tRPC: an app shows prices before sign-in', async () => {
    const packages = await api.rest('GET', '/api/payment/packages');
    expect(packages.status, JSON.stringify(packages.body)).toBe(200);
    expect(packages.body.data.results).toEqual([
      expect.objectContaining({
        code: 'CAT1',
        price: expect.objectContaining({ amount: 1_000, currency: 'USD' }),
      }),
    ]);
    const methods = await api.rest('GET', '/api/payment/methods');
    expect(methods.status, JSON.stringify(methods.body)).toBe(200);
    expect(methods.body.data.results.map((m: { code: string }) => m.code)).toEqual(['sandbox_card']);

    const anonymous = createApiClient({ url: 'http://api.test', fetch: api.fetch });
    expect((await anonymous.payment.packages.query({})).results.map((p) => p.code)).toEqual(['CAT1']);
    expect((await anonymous.payment.methods.query({})).results.map((m) => m.code)).toEqual(['sandbox_card']);

    const doc = await api.rest('GET', '/api/openapi.json');
    expect(doc.body.paths['/payment/packages'].get.security ?? []).toEqual([]);
  });

  it('serves from the static cache until the table changes through the ORM', async () => {
    expect(await packagePrice(api)).toBe(1_000);
    // Behind the cache's back: the cached catalogue stays.
    await api.deps.orm.em
      .getConnection()
      .execute(`update rental_package set price = 1100 where code = 'CAT1'`);
    expect(await packagePrice(api)).toBe(1_000);

    const em = api.deps.orm.em.fork();
    const pkg = await em.findOneOrFail(RentalPackage, { code: 'CAT1' });
    pkg.price = 1_200;
    await em.flush();
    await expect.poll(() => packagePrice(api), { timeout: 5_000 }).toBe(1_200);
  });
});
