import {
  Achievement,
  Notification,
  Referral,
  Rental,
  User,
  UserAchievement,
  UserLeaderboard,
  UserPoints,
} from '@powerbank/db';
import { ledger } from '@powerbank/ledger';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchUpAchievementProgress, recordReferralRewarded } from './achievement-progress.ts';
import { ENGAGEMENT_JOBS } from './engagement-jobs.ts';
import { computeLeaderboards, periodStart } from './leaderboard.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

async function aUser(overrides: Record<string, unknown> = {}): Promise<User> {
  const em = db.orm.em.fork();
  const user = anyRow(em, User, { status: 'active', ...overrides });
  em.create(UserPoints, { user });
  await em.flush();
  return user;
}

/** `n` settled rentals of the user, returned `lateMinutes` after their due time (negative: early). */
async function settledRentals(user: User, n: number, lateMinutes: number, settledAt = new Date()) {
  const em = db.orm.em.fork();
  for (let i = 0; i < n; i++) {
    const dueAt = new Date(settledAt.getTime() - lateMinutes * 60_000);
    anyRow(em, Rental, {
      user,
      status: 'settled',
      startedAt: new Date(dueAt.getTime() - 3_600_000),
      dueAt,
      returnedAt: settledAt,
      settledAt,
    });
  }
  await em.flush();
}

const progress = async (user: User, code: string) =>
  (await db.orm.em.fork().findOne(UserAchievement, { user, achievement: { code } }))?.progress ?? 0;

describe('achievement jobs and the referral hook', () => {
  beforeAll(async () => {
    const em = db.orm.em.fork();
    em.create(Achievement, {
      code: 'three_rentals',
      name: 'Three',
      description: 'x',
      metric: 'rentals',
      threshold: 3,
      rewardPoints: 10,
    });
    em.create(Achievement, {
      code: 'one_timely',
      name: 'Timely',
      description: 'x',
      metric: 'timely_returns',
      threshold: 1,
      rewardPoints: 10,
    });
    em.create(Achievement, {
      code: 'two_referrals',
      name: 'Two refs',
      description: 'x',
      metric: 'referrals',
      threshold: 2,
      rewardPoints: 10,
    });
    await em.flush();
  });

  it('catch-up raises progress to the records (never lowers it), unlocks and notifies once; a second run changes nothing', async () => {
    const user = await aUser();
    await settledRentals(user, 3, 30); // late
    await settledRentals(user, 1, -5); // on time
    const ahead = await aUser();
    await settledRentals(ahead, 1, 30);
    const em = db.orm.em.fork();
    const achievement = await em.findOneOrFail(Achievement, { code: 'three_rentals' });
    em.create(UserAchievement, { user: ahead, achievement, progress: 2 });
    await em.flush();

    const first = await catchUpAchievementProgress(db.orm.em.fork());
    expect(first.raised).toBeGreaterThanOrEqual(2);
    expect(await progress(user, 'three_rentals')).toBe(4);
    expect(await progress(user, 'one_timely')).toBe(1);
    expect(await progress(ahead, 'three_rentals')).toBe(2); // ahead of the records: kept
    const notices = await db.orm.em.fork().find(Notification, { user, type: 'achievement_unlocked' });
    expect(notices.map((n) => n.dedupeKey).sort()).toEqual([
      'achievement:one_timely',
      'achievement:three_rentals',
    ]);

    expect(await catchUpAchievementProgress(db.orm.em.fork())).toEqual({ raised: 0, unlocked: 0 });
    expect(await db.orm.em.fork().count(Notification, { user, type: 'achievement_unlocked' })).toBe(2);
  });

  it('recordReferralRewarded moves the inviter’s referral achievements by one, in the caller’s transaction', async () => {
    const inviter = await aUser();
    await db.orm.em.fork().transactional((tem) => recordReferralRewarded(tem, inviter.id));
    expect(await progress(inviter, 'two_referrals')).toBe(1);
    // Rolled back with the caller's reward: nothing counted.
    await expect(
      db.orm.em.fork().transactional(async (tem) => {
        await recordReferralRewarded(tem, inviter.id);
        throw new Error('reward failed');
      }),
    ).rejects.toThrow('reward failed');
    expect(await progress(inviter, 'two_referrals')).toBe(1);
    await db.orm.em.fork().transactional((tem) => recordReferralRewarded(tem, inviter.id));
    const row = await db.orm.em
      .fork()
      .findOneOrFail(UserAchievement, { user: inviter, achievement: { code: 'two_referrals' } });
    expect(row).toMatchObject({ progress: 2, completedAt: expect.any(Date) });
  });
});

describe('leaderboard job', () => {
  it('ranks each category for the week, month and all time from the records; ties share a rank; the inactive are left out', async () => {
    const now = new Date('2030-06-19T12:00:00Z'); // a Wednesday
    expect(periodStart('week', now)).toBe('2030-06-17');
    expect(periodStart('month', now)).toBe('2030-06-01');
    expect(periodStart('all_time', now)).toBe('1970-01-01');
    expect(periodStart('week', new Date('2026-06-21T23:59:59Z'))).toBe('2026-06-15'); // Sunday
    expect(periodStart('week', new Date('2026-06-22T00:00:00Z'))).toBe('2026-06-22');

    const [ann, ben, cat, gone] = await Promise.all([
      aUser(),
      aUser(),
      aUser(),
      aUser({ status: 'suspended' }),
    ]);
    await settledRentals(ann, 3, -1, new Date('2030-06-18T10:00:00Z')); // this week, timely
    await settledRentals(ben, 3, 10, new Date('2030-06-03T10:00:00Z')); // this month, late
    await settledRentals(cat, 1, -1, new Date('2025-01-01T10:00:00Z')); // long ago
    await settledRentals(gone, 9, -1, new Date('2030-06-18T10:00:00Z'));
    const em = db.orm.em.fork();
    em.create(Referral, {
      inviter: cat,
      invitee: ann,
      code: 'X',
      status: 'rewarded',
      completedAt: new Date('2030-06-18T00:00:00Z'),
    });
    await em.flush();
    await ledger.creditPoints(db.orm.em.fork(), {
      userId: ben.id,
      amount: 500,
      type: 'coupon',
      idempotencyKey: `lb:${ben.id}`,
    });

    expect(await computeLeaderboards(db.orm.em.fork(), now)).toBeGreaterThan(0);
    const board = async (category: string, period: string) => {
      const rows = await db.orm.em.fork().find(
        UserLeaderboard,
        {
          category: category as never,
          period: period as never,
          periodStart: periodStart(period as never, now) as never,
          user: { $in: [ann.id, ben.id, cat.id, gone.id] },
        },
        { orderBy: { rank: 'asc', user: 'asc' } },
      );
      return rows.map((r) => [r.user.id, r.score, r.rank]);
    };
    expect(await board('rentals', 'week')).toEqual([[ann.id, 3, 1]]);
    const month = await board('rentals', 'month');
    expect(month.map(([, score]) => score)).toEqual([3, 3]);
    expect(month.map(([, , rank]) => rank)).toEqual([1, 1]); // tied
    expect(await board('rentals', 'all_time')).toEqual(
      expect.arrayContaining([[cat.id, 1, expect.any(Number)]]),
    );
    expect(await board('timely_returns', 'month')).toEqual([[ann.id, 3, 1]]);
    expect(await board('referrals', 'week')).toEqual([[cat.id, 1, 1]]);
    expect((await board('points', 'all_time'))[0]).toEqual([ben.id, 500, 1]);
    // overall = 10 per rental + 10 per timely return + 50 per referral + a tenth of the points
    // (ben's points were earned today, before the ranked month: they count for all time only)
    expect(await board('overall', 'month')).toEqual([
      [ann.id, 60, 1],
      [cat.id, 50, 2],
      [ben.id, 30, 3],
    ]);
    expect(await board('points', 'month')).toEqual([]);

    // A second run replaces the period's rows (no duplicates).
    await computeLeaderboards(db.orm.em.fork(), now);
    expect(await board('rentals', 'week')).toEqual([[ann.id, 3, 1]]);
  });
});

describe('the jobs as the worker registers them', () => {
  it('each has a unique name and a cron, and runs (twice) over a fresh set of records', async () => {
    expect(new Set(ENGAGEMENT_JOBS.map((j) => j.name)).size).toBe(ENGAGEMENT_JOBS.length);
    for (const job of ENGAGEMENT_JOBS) {
      expect(job.cron.split(' ')).toHaveLength(5);
      await job.run(db.orm.em.fork(), new Date());
      await job.run(db.orm.em.fork(), new Date());
    }
  });
});
