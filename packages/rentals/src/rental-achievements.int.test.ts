import { Achievement, Notification, type Rental, Station, type User, UserAchievement } from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPrepaidRental, aRenter as aRenterRow } from './rental.testing.ts';
import { applyRentalEvent } from './rental-events.ts';

let db: TestOrm;
let station: Station;
beforeAll(async () => {
  db = await createTestOrm();
  const em = db.orm.em.fork();
  for (const [code, metric, threshold] of [
    ['first_rental', 'rentals', 1],
    ['two_rentals', 'rentals', 2],
    ['two_timely', 'timely_returns', 2],
  ] as const) {
    em.create(Achievement, { code, name: code, description: code, metric, threshold, rewardPoints: 50 });
  }
  station = anyRow(em, Station, {});
  await em.flush();
});
afterAll(() => db.close());

async function aRenter(): Promise<User> {
  const em = db.orm.em.fork();
  const user = aRenterRow(em);
  await em.flush();
  return user;
}

/** An active prepaid rental of an hour, started `startedMinutesAgo` ago. */
async function anActiveRental(user: User, startedMinutesAgo: number): Promise<Rental> {
  const em = db.orm.em.fork();
  const startedAt = new Date(Date.now() - startedMinutesAgo * 60_000);
  const rental = aPrepaidRental(em, { user, station, startedAt });
  await em.flush();
  return rental;
}

const returned = (at = Date.now()) => ({
  type: 'RETURNED' as const,
  stationSn: station.serialNumber,
  slot: 1,
  at,
});

const progressOf = async (user: User) => {
  const rows = await db.orm.em.fork().find(UserAchievement, { user }, { populate: ['achievement'] });
  return Object.fromEntries(
    rows.map((r) => [r.achievement.code, { progress: r.progress, unlocked: r.completedAt !== null }]),
  );
};

describe('achievement progress in the rental settlement', () => {
  it('a settled rental counts once towards rentals (and timely returns when on time); crossing a threshold unlocks and notifies', async () => {
    const user = await aRenter();
    const first = await anActiveRental(user, 10);
    expect((await applyRentalEvent(db.orm.em.fork(), first.id, returned())).applied).toBe(true);
    expect(await progressOf(user)).toEqual({
      first_rental: { progress: 1, unlocked: true },
      two_rentals: { progress: 1, unlocked: false },
      two_timely: { progress: 1, unlocked: false },
    });
    // The same return again (a duplicate event) changes nothing.
    expect((await applyRentalEvent(db.orm.em.fork(), first.id, returned())).applied).toBe(false);

    const late = await anActiveRental(user, 120);
    await applyRentalEvent(db.orm.em.fork(), late.id, returned());
    expect(await progressOf(user)).toEqual({
      first_rental: { progress: 2, unlocked: true },
      two_rentals: { progress: 2, unlocked: true },
      two_timely: { progress: 1, unlocked: false },
    });

    const notices = await db.orm.em
      .fork()
      .find(Notification, { user, type: 'achievement_unlocked' }, { orderBy: { id: 'asc' } });
    expect(notices.map((n) => n.dedupeKey)).toEqual(['achievement:first_rental', 'achievement:two_rentals']);
    expect(notices[0]?.payload).toMatchObject({ code: 'first_rental', rewardPoints: 50 });
  });

  it('concurrent settlements: one user’s 8 returns at once count 8, many users’ returns at once count one each; each unlock notified once', async () => {
    const user = await aRenter();
    const rentals = await Promise.all(Array.from({ length: 8 }, () => anActiveRental(user, 10)));
    const others = await Promise.all(Array.from({ length: 8 }, () => aRenter()));
    const theirs = await Promise.all(others.map((other) => anActiveRental(other, 10)));
    const results = await Promise.all(
      [...rentals, ...theirs].map((r) => applyRentalEvent(db.orm.em.fork(), r.id, returned())),
    );
    expect(results.every((r) => r.applied)).toBe(true);
    expect(await progressOf(user)).toEqual({
      first_rental: { progress: 8, unlocked: true },
      two_rentals: { progress: 8, unlocked: true },
      two_timely: { progress: 8, unlocked: true },
    });
    const em = db.orm.em.fork();
    expect(await em.count(Notification, { user, type: 'achievement_unlocked' })).toBe(3);
    for (const other of others) {
      expect(await progressOf(other)).toMatchObject({ first_rental: { progress: 1, unlocked: true } });
      expect(await em.count(Notification, { user: other, type: 'achievement_unlocked' })).toBe(1);
    }
  });
});
