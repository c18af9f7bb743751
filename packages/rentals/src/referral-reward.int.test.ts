import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Achievement,
  Notification,
  Referral,
  Rental,
  RentalPackage,
  Station,
  User,
  UserPoints,
  Wallet,
} from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRentalEvent } from './rental-events.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

const sql = <R>(text: string, params: unknown[] = []) =>
  db.orm.em.fork().getConnection().execute<R[]>(text, params);

/** A user with empty wallet and points accounts. */
function aUser(em: EntityManager, extra: Record<string, unknown> = {}): User {
  const user = anyRow(em, User, { status: 'active', ...extra });
  em.create(UserPoints, { user });
  em.create(Wallet, { user });
  return user;
}

/** An inviter, an invitee with a pending referral between them, and the invitee's station and package. */
async function aReferral(inviterExtra: Record<string, unknown> = {}) {
  const em = db.orm.em.fork();
  const inviter = aUser(em, inviterExtra);
  const invitee = aUser(em);
  const referral = em.create(Referral, { inviter, invitee, code: inviter.referralCode });
  const station = anyRow(em, Station, {});
  const pkg = anyRow(em, RentalPackage, {
    paymentModel: 'prepaid',
    price: 800,
    durationMinutes: 60,
    perMinuteRate: 10,
    depositAmount: 0,
    currency: 'USD',
  });
  await em.flush();
  return { inviter, invitee, referral, station, pkg };
}

/** An active rental of `user`'s, started now and due in an hour. */
async function anActiveRental(user: User, station: Station, pkg: RentalPackage): Promise<Rental> {
  const em = db.orm.em.fork();
  const now = Date.now();
  const rental = anyRow(em, Rental, {
    user: user.id,
    package: pkg.id,
    startStation: station.id,
    status: 'active',
    prepaidAmount: 800,
    walletPaid: 800,
    pointsPaid: 0,
    heldAmount: 0,
    dueAmount: 0,
    settledAmount: 0,
    overageAmount: 0,
    lateFeeAmount: 0,
    extensionCount: 0,
    startedAt: new Date(now - 10 * 60_000),
    dueAt: new Date(now + 50 * 60_000),
  });
  await em.flush();
  return rental;
}

const returned = (station: Station) =>
  ({ type: 'RETURNED', stationSn: station.serialNumber, slot: 1, at: Date.now() }) as const;

async function referralPoints(userId: string) {
  const [row] = await sql<{ points: string; rows: string }>(
    `select coalesce(sum(points), 0) as points, count(*) as rows from points_transaction where user_id = ? and type = 'referral'`,
    [userId],
  );
  return { points: Number(row?.points), rows: Number(row?.rows) };
}

const notices = (userId: string) =>
  db.orm.em.fork().count(Notification, { user: userId, type: 'referral_rewarded' });

describe('referral reward at settlement', () => {
  it("pays the inviter 100 and the invitee 50 points at the invitee's first completed rental, and notifies both", async () => {
    const { inviter, invitee, referral, station, pkg } = await aReferral();
    const rental = await anActiveRental(invitee, station, pkg);
    const applied = await applyRentalEvent(db.orm.em.fork(), rental.id, returned(station));
    expect(applied.rental.status).toBe('settled');
    expect(await referralPoints(inviter.id)).toEqual({ points: 100, rows: 1 });
    expect(await referralPoints(invitee.id)).toEqual({ points: 50, rows: 1 });
    const stored = await db.orm.em.fork().findOneOrFail(Referral, { id: referral.id });
    expect(stored).toMatchObject({ status: 'rewarded', inviterPoints: 100, inviteePoints: 50 });
    expect(stored.completedAt).toBeInstanceOf(Date);
    expect(await notices(inviter.id)).toBe(1);
    expect(await notices(invitee.id)).toBe(1);
  });

  it('rewards once: a second completed rental and a replayed return pay nothing more', async () => {
    const { inviter, invitee, station, pkg } = await aReferral();
    const first = await anActiveRental(invitee, station, pkg);
    await applyRentalEvent(db.orm.em.fork(), first.id, returned(station));
    const replay = await applyRentalEvent(db.orm.em.fork(), first.id, returned(station));
    expect(replay.applied).toBe(false);
    const second = await anActiveRental(invitee, station, pkg);
    await applyRentalEvent(db.orm.em.fork(), second.id, returned(station));
    expect(await referralPoints(inviter.id)).toEqual({ points: 100, rows: 1 });
    expect(await referralPoints(invitee.id)).toEqual({ points: 50, rows: 1 });
  });

  it('rewards once when several rentals of the invitee settle at the same time, each retried', async () => {
    const { inviter, invitee, station, pkg } = await aReferral();
    const rentals = await Promise.all(Array.from({ length: 5 }, () => anActiveRental(invitee, station, pkg)));
    const settlements = rentals.flatMap((r) =>
      [1, 2, 3].map(() => applyRentalEvent(db.orm.em.fork(), r.id, returned(station))),
    );
    const results = await Promise.all(settlements);
    expect(results.filter((r) => r.applied)).toHaveLength(5);
    expect(await referralPoints(inviter.id)).toEqual({ points: 100, rows: 1 });
    expect(await referralPoints(invitee.id)).toEqual({ points: 50, rows: 1 });
    expect(await notices(inviter.id)).toBe(1);
  });

  it('waits while the rental leaves a due, and rewards when the due is paid', async () => {
    const { inviter, invitee, referral, station, pkg } = await aReferral();
    const rental = await anActiveRental(invitee, station, pkg);
    // Returned two hours late with an empty wallet: the late fee is recorded as a due.
    await sql(`update rental set due_at = now() - interval '2 hours' where id = ?`, [rental.id]);
    const settled = await applyRentalEvent(db.orm.em.fork(), rental.id, returned(station));
    expect(settled.rental.status).toBe('settled');
    expect(settled.rental.dueAmount).toBeGreaterThan(0);
    expect(await referralPoints(inviter.id)).toEqual({ points: 0, rows: 0 });
    expect((await db.orm.em.fork().findOneOrFail(Referral, { id: referral.id })).status).toBe('pending');

    await sql(`update wallet set balance = 1000000 where user_id = ?`, [invitee.id]);
    await sql(
      `insert into wallet_transaction (id, wallet_id, user_id, type, amount, balance_after, currency, idempotency_key, created_at)
       select gen_random_uuid(), id, user_id, 'topup', 1000000, 1000000, 'USD', 'test-topup:' || user_id, now() from wallet where user_id = ?`,
      [invitee.id],
    );
    const paid = await applyRentalEvent(
      db.orm.em.fork(),
      rental.id,
      { type: 'PAY_DUE' },
      {
        payment: { mode: 'wallet', idempotencyKey: `test-pay-due:${rental.id}` },
      },
    );
    expect(paid.applied).toBe(true);
    expect(await referralPoints(inviter.id)).toEqual({ points: 100, rows: 1 });
    expect(await referralPoints(invitee.id)).toEqual({ points: 50, rows: 1 });
  });

  it("moves the inviter's referral achievements by one, once", async () => {
    const em = db.orm.em.fork();
    const achievement = anyRow(em, Achievement, { metric: 'referrals', threshold: 1, isActive: true });
    await em.flush();
    const { inviter, invitee, station, pkg } = await aReferral();
    const rentals = await Promise.all([1, 2].map(() => anActiveRental(invitee, station, pkg)));
    await Promise.all(rentals.map((r) => applyRentalEvent(db.orm.em.fork(), r.id, returned(station))));
    const [progress] = await sql<{ progress: number; completed_at: Date | null }>(
      `select progress, completed_at from user_achievement where user_id = ? and achievement_id = ?`,
      [inviter.id, achievement.id],
    );
    expect(progress?.progress).toBe(1);
    expect(progress?.completed_at).not.toBeNull();
  });

  it('pays an inviter suspended since the claim nothing; the invitee still gets theirs', async () => {
    const { inviter, invitee, referral, station, pkg } = await aReferral();
    await sql(`update users set status = 'suspended' where id = ?`, [inviter.id]);
    const rental = await anActiveRental(invitee, station, pkg);
    await applyRentalEvent(db.orm.em.fork(), rental.id, returned(station));
    expect(await referralPoints(inviter.id)).toEqual({ points: 0, rows: 0 });
    expect(await referralPoints(invitee.id)).toEqual({ points: 50, rows: 1 });
    expect(await db.orm.em.fork().findOneOrFail(Referral, { id: referral.id })).toMatchObject({
      status: 'rewarded',
      inviterPoints: 0,
    });
  });

  it('reads the amounts from AppConfig', async () => {
    const { inviter, invitee, station, pkg } = await aReferral();
    await sql(
      `insert into app_config (key, value, description, created_at, updated_at) values ('referral_inviter_points', '7', 'test', now(), now())
       on conflict (key) do update set value = excluded.value`,
    );
    try {
      const rental = await anActiveRental(invitee, station, pkg);
      await applyRentalEvent(db.orm.em.fork(), rental.id, returned(station));
      expect(await referralPoints(inviter.id)).toEqual({ points: 7, rows: 1 });
    } finally {
      await sql(`delete from app_config where key = 'referral_inviter_points'`);
    }
  });
});
