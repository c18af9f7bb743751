import { createApiClient } from '@powerbank/api-client';
import { UserPoints } from '@powerbank/db';
import { readLoyaltyTiers, refreshLoyaltyTiers } from '@powerbank/engagement';
import { ledger } from '@powerbank/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishInvalidation } from '../../platform/static-cache.ts';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import { bearer, type SignedUp, setAppConfig, signUp } from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

describe('loyalty tiers on the points summary and the wallet', () => {
  let api: TestApi;
  let alice: SignedUp;

  const earn = (user: SignedUp, points: number, n: number) =>
    ledger.creditPoints(api.deps.orm.em.fork(), {
      userId: user.userId,
      amount: points,
      type: 'coupon',
      idempotencyKey: `loyalty-test:${user.userId}:${n}`,
    });
  const lifetime = async (user: SignedUp) =>
    (await api.deps.orm.em.fork().findOneOrFail(UserPoints, { user: user.userId })).lifetimeEarned;

  beforeAll(async () => {
    api = await createTestApi();
    alice = await signUp(api);
  });
  afterAll(() => api?.close());

  it('the tier follows lifetime points over the AppConfig thresholds, on both endpoints and both transports', async () => {
    const start = await lifetime(alice); // the signup bonus
    await earn(alice, 1_000 - start, 1);
    const summary = await api.rest('GET', '/api/points/summary', undefined, bearer(alice.token));
    expect(summary.status, JSON.stringify(summary.body)).toBe(200);
    expect(summary.body.data).toMatchObject({
      lifetime_earned: 1_000,
      tier: 'silver',
      next_tier: { tier: 'gold', min_points: 5_000, points_needed: 4_000 },
    });
    const wallet = await api.rest('GET', '/api/user/wallet', undefined, bearer(alice.token));
    expect(wallet.body.data.points).toMatchObject({ tier: 'silver', next_tier: { tier: 'gold' } });

    const client = createApiClient({ url: 'http://api.test', fetch: api.fetch, token: alice.token });
    expect(await client.wallet.pointsSummary.query({})).toMatchObject({ tier: 'silver' });
    expect((await client.wallet.wallet.query({})).points).toMatchObject({ tier: 'silver' });

    // An admin lowers the gold threshold: the next read shows gold.
    await setAppConfig(api, { loyalty_gold_min_points: 900 });
    await publishInvalidation(api.deps.nats, api.deps.env.NATS_PREFIX, STATIC_TABLES.appConfig);
    await expect
      .poll(async () => (await client.wallet.pointsSummary.query({})).tier, { timeout: 5_000 })
      .toBe('gold');
    expect((await client.wallet.wallet.query({})).points.tier).toBe('gold');
    await setAppConfig(api, { loyalty_gold_min_points: 5_000 });
    await publishInvalidation(api.deps.nats, api.deps.env.NATS_PREFIX, STATIC_TABLES.appConfig);
  });

  it('the refresh job writes the stored tier column from lifetime points, only where it changed', async () => {
    const bob = await signUp(api);
    await earn(bob, 25_000, 1);
    const em = api.deps.orm.em.fork();
    const tiers = await readLoyaltyTiers(em);
    expect(await refreshLoyaltyTiers(em, tiers)).toBeGreaterThanOrEqual(2); // alice silver, bob platinum
    const stored = async (user: SignedUp) =>
      (await api.deps.orm.em.fork().findOneOrFail(UserPoints, { user: user.userId })).tier;
    expect(await stored(alice)).toBe('silver');
    expect(await stored(bob)).toBe('platinum');
    expect(await refreshLoyaltyTiers(em, tiers)).toBe(0);
  });
});
