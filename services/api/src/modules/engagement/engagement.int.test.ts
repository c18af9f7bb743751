import { createApiClient } from '@powerbank/api-client';
import { Achievement, PointsTransaction, sqlRows, UserPoints } from '@powerbank/db';
import {
  type AchievementMetric,
  achievementProgressStatement,
  computeLeaderboards,
} from '@powerbank/engagement';
import { ledger } from '@powerbank/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp } from '../../testing/auth-helpers.ts';
import { aCrowd } from '../../testing/crowd.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

describe('achievements and the leaderboard over REST and tRPC', () => {
  let api: TestApi;
  let alice: SignedUp;
  const ids: Record<string, number> = {};

  const progress = (userId: string, metric: AchievementMetric) => {
    const { text, values } = achievementProgressStatement(userId, [metric]);
    return sqlRows(api.deps.orm.em.fork(), text, values);
  };
  const points = async (userId: string) => {
    const em = api.deps.orm.em.fork();
    const account = await em.findOneOrFail(UserPoints, { user: userId });
    const rewards = await em.find(PointsTransaction, { user: userId, type: 'achievement' });
    return { balance: account.balance, rewards: rewards.map((r) => r.points) };
  };
  const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: api.fetch, token });

  beforeAll(async () => {
    api = await createTestApi();
    const em = api.deps.orm.em.fork();
    for (const [code, metric, threshold, rewardPoints] of [
      ['first_rental', 'rentals', 1, 50],
      ['ten_rentals', 'rentals', 10, 200],
    ] as const) {
      const a = em.create(Achievement, {
        code,
        name: code,
        description: `${code}.`,
        metric,
        threshold,
        rewardPoints,
      });
      await em.flush();
      ids[code] = a.id;
    }
    alice = await signUp(api, { fullName: 'Alice Example' });
  });
  afterAll(() => api?.close());

  it('lists progress, unlocked and claimed; claims once over REST and tRPC; refuses what cannot be claimed', async () => {
    await progress(alice.userId, 'rentals');
    const listed = await api.rest('GET', '/api/users/achievements', undefined, bearer(alice.token));
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.data).toMatchObject({ unlocked_count: 1, claimable_count: 1 });
    expect(listed.body.data.results).toEqual([
      expect.objectContaining({
        code: 'first_rental',
        progress: 1,
        threshold: 1,
        unlocked: true,
        claimed: false,
      }),
      expect.objectContaining({
        code: 'ten_rentals',
        progress: 1,
        threshold: 10,
        unlocked: false,
        claimed: false,
      }),
    ]);
    const viaTrpc = await client(alice.token).engagement.achievements.query({});
    expect(viaTrpc.results.map((a) => [a.code, a.progress, a.unlocked])).toEqual([
      ['first_rental', 1, true],
      ['ten_rentals', 1, false],
    ]);

    const before = await points(alice.userId);
    const claimed = await api.rest(
      'POST',
      `/api/users/achievements/${ids.first_rental}/claim`,
      {},
      bearer(alice.token),
    );
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body.data).toMatchObject({
      points_credited: 50,
      points_balance: before.balance + 50,
      achievement: { code: 'first_rental', claimed: true },
    });
    const again = await api.rest(
      'POST',
      `/api/users/achievements/${ids.first_rental}/claim`,
      {},
      bearer(alice.token),
    );
    expect(again.status).toBe(409);
    await expect(
      client(alice.token).engagement.claimAchievement.mutate({ id: ids.first_rental! }),
    ).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
    const locked = await api.rest(
      'POST',
      `/api/users/achievements/${ids.ten_rentals}/claim`,
      {},
      bearer(alice.token),
    );
    expect(locked.status).toBe(422);
    expect(locked.body.error).toMatchObject({
      code: 'BUSINESS_RULE',
      details: { progress: 1, threshold: 10 },
    });
    expect(
      (await api.rest('POST', '/api/users/achievements/999999/claim', {}, bearer(alice.token))).status,
    ).toBe(404);
    expect(
      (await api.rest('POST', '/api/users/achievements/abc/claim', {}, bearer(alice.token))).status,
    ).toBe(400);
    expect((await api.rest('GET', '/api/users/achievements')).status).toBe(401);
    expect(await points(alice.userId)).toEqual({ balance: before.balance + 50, rewards: [50] });

    // Another user's unlock is not theirs to claim: their own progress is 0.
    const bob = await signUp(api);
    const bobs = await client(bob.token).engagement.achievements.query({});
    expect(bobs.results.every((a) => a.progress === 0 && !a.unlocked)).toBe(true);
    await expect(
      client(bob.token).engagement.claimAchievement.mutate({ id: ids.first_rental! }),
    ).rejects.toMatchObject({
      data: { code: 'UNPROCESSABLE_CONTENT' },
    });
  });

  it('hostile: a reward claimed 50× at once by one user is credited once; 20 users claiming 5× each, once each', async () => {
    const [carol, ...crowdUsers] = await (async () => {
      const crowd = aCrowd(21);
      await api.deps.orm.em.fork().transactional(async (tem) => {
        for (const statement of crowd.statements) await tem.execute(statement);
      });
      return crowd.users;
    })();
    if (!carol) throw new Error('no crowd');
    for (const user of [carol, ...crowdUsers]) await progress(user.userId, 'rentals');

    const path = `/api/users/achievements/${ids.first_rental}/claim`;
    const fifty = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2
          ? api.rest('POST', path, {}, bearer(carol.token)).then((r) => r.status)
          : client(carol.token)
              .engagement.claimAchievement.mutate({ id: ids.first_rental! })
              .then(
                () => 200,
                (error: { data?: { httpStatus?: number } }) => error.data?.httpStatus ?? 0,
              ),
      ),
    );
    expect(fifty.filter((s) => s === 200)).toHaveLength(1);
    expect(fifty.filter((s) => s === 409)).toHaveLength(49);
    expect(await points(carol.userId)).toEqual({ balance: 50, rewards: [50] });

    const many = await Promise.all(
      crowdUsers.flatMap((u) => Array.from({ length: 5 }, () => api.rest('POST', path, {}, bearer(u.token)))),
    );
    expect(many.filter((r) => r.status === 200)).toHaveLength(crowdUsers.length);
    expect(many.filter((r) => r.status === 409)).toHaveLength(crowdUsers.length * 4);
    for (const u of crowdUsers) expect(await points(u.userId)).toEqual({ balance: 50, rewards: [50] });
  });

  it('the leaderboard is what the job wrote: a page, and the caller’s own rank outside it, over REST and tRPC', async () => {
    const leaderboard = (query: string) =>
      api.rest('GET', `/api/users/leaderboard?${query}`, undefined, bearer(alice.token));
    const week = await leaderboard('category=points&period=week');
    expect(week.status, JSON.stringify(week.body)).toBe(200);
    expect(week.body.data).toMatchObject({
      results: [],
      me: null,
      computed_at: null,
      pagination: { total_count: 0 },
    });

    const [dan, erin] = await Promise.all([signUp(api, { fullName: 'Dan Top' }), signUp(api)]);
    for (const [user, amount] of [
      [dan, 5_000],
      [erin, 4_000],
    ] as const) {
      await ledger.creditPoints(api.deps.orm.em.fork(), {
        userId: user.userId,
        amount,
        type: 'coupon',
        idempotencyKey: `lb-${user.userId}`,
      });
    }
    await computeLeaderboards(api.deps.orm.em.fork());

    const page = await leaderboard('category=points&period=all_time&page_size=1');
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.body.data.results).toEqual([{ rank: 1, score: 5_050, display_name: 'Dan T.', is_me: false }]);
    expect(page.body.data.pagination).toMatchObject({ page: 1, page_size: 1, has_next: true });
    expect(page.body.data.me).toEqual({ rank: expect.any(Number), score: 100 }); // signup bonus + the claimed reward
    expect(page.body.data.me.rank).toBeGreaterThan(2);
    expect(page.body.data.computed_at).toEqual(expect.any(String));

    const viaTrpc = await client(erin.token).engagement.leaderboard.query({
      category: 'points',
      period: 'all_time',
      page: 2,
      page_size: 1,
    });
    expect(viaTrpc.results).toEqual([{ rank: 2, score: 4_050, display_name: 'PowerBank user', is_me: true }]);
    expect(viaTrpc.me).toEqual({ rank: 2, score: 4_050 });
    expect(viaTrpc.computed_at).toBeInstanceOf(Date);

    expect((await leaderboard('category=nope')).status).toBe(400);
    expect((await api.rest('GET', '/api/users/leaderboard')).status).toBe(401);
  });

  it('every engagement path is in the OpenAPI document', async () => {
    const doc = await api.rest('GET', '/api/openapi.json');
    expect(doc.body.paths).toHaveProperty(['/users/achievements']);
    expect(doc.body.paths).toHaveProperty(['/users/achievements/{id}/claim']);
    expect(doc.body.paths).toHaveProperty(['/users/leaderboard']);
  });
});
