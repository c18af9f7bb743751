import {
  AdminActionLog,
  Notification,
  PointsTransaction,
  PowerBank,
  Rental,
  Station,
  User,
  UserKyc,
  Wallet,
  WalletTransaction,
} from '@powerbank/db';
import { ledger } from '@powerbank/ledger';
import { anyRow } from '@powerbank/testing';
import { describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';
import { aRentalPackage } from '../../testing/rental-packages.ts';

const api = useTestApi();
const em = () => api().deps.orm.em.fork();
const as = (caller: SignedUp) => bearer(caller.token);

async function fund(userId: string, wallet: number) {
  await ledger.creditWallet(em(), {
    userId,
    amount: wallet,
    type: 'topup',
    idempotencyKey: `admin-test:${crypto.randomUUID()}`,
  });
}

const walletOf = async (userId: string) => (await em().findOneOrFail(Wallet, { user: userId })).balance;
const logRows = (targetId: string) =>
  em().find(AdminActionLog, { targetId }, { orderBy: { createdAt: 'asc' } });

/** A rental of `user`'s in `status`, started an hour ago on a one-hour package, paid `walletPaid` from the wallet. */
async function aRentalOf(user: SignedUp, over: Record<string, unknown> = {}) {
  const tx = em();
  const station = anyRow(tx, Station, {});
  const powerBank = anyRow(tx, PowerBank, { price: 4_000 });
  const rental = anyRow(tx, Rental, {
    user: tx.getReference(User, user.userId),
    package: aRentalPackage(tx, `admin-${crypto.randomUUID().slice(0, 8)}`),
    startStation: station,
    powerBank,
    status: 'active',
    prepaidAmount: 800,
    walletPaid: 800,
    startedAt: new Date(Date.now() - 50 * 60_000),
    dueAt: new Date(Date.now() + 10 * 60_000),
    ...over,
  });
  await tx.flush();
  return { rental, station, powerBank };
}

describe('admin users: find and look', () => {
  it('searches by phone, email, name, status and KYC status, newest first, page by page with a cursor', async () => {
    const support = await signUpAdmin(api(), 'support');
    const tag = crypto.randomUUID().slice(0, 8);
    const made: SignedUp[] = [];
    for (let i = 0; i < 5; i++) made.push(await signUp(api(), { fullName: `Zed ${tag} ${i}` }));
    await em().nativeUpdate(
      User,
      { id: made[0]?.userId },
      { email: `${tag}_x@example.com`, status: 'suspended' },
    );
    const tx = em();
    tx.create(UserKyc, {
      user: tx.getReference(User, String(made[1]?.userId)),
      documentType: 'passport',
      documentNumber: 'P1',
      status: 'approved',
    });
    await tx.flush();

    const list = (query: string) => api().rest('GET', `/api/admin/users?${query}`, undefined, as(support));
    const byName = await list(`q=${tag}&limit=2`);
    expect(byName.status, JSON.stringify(byName.body)).toBe(200);
    const seen: string[] = byName.body.data.results.map((u: { id: string }) => u.id);
    let cursor = byName.body.data.nextCursor;
    while (cursor) {
      const next = await list(`q=${tag}&limit=2&cursor=${encodeURIComponent(cursor)}`);
      seen.push(...next.body.data.results.map((u: { id: string }) => u.id));
      cursor = next.body.data.nextCursor;
    }
    expect(seen).toEqual(made.map((u) => u.userId).reverse());

    const suspended = await list(`email=${tag}_x&status=suspended`);
    expect(suspended.body.data.results.map((u: { id: string }) => u.id)).toEqual([made[0]?.userId]);
    const approved = await list(`name=${tag}&kycStatus=approved`);
    expect(approved.body.data.results).toMatchObject([{ id: made[1]?.userId, kycStatus: 'approved' }]);
    const none = await list(`name=${tag}&kycStatus=not_submitted`);
    expect(none.body.data.results).toHaveLength(4); // suspended users too: only deleted ones are never listed
    expect((await list(`phone=${encodeURIComponent(made[2]?.phone ?? '')}`)).body.data.results).toHaveLength(
      1,
    );
    // A percent sign is searched for, not a wildcard.
    expect((await list('q=%25')).body.data.results).toEqual([]);
    expect((await list('cursor=nonsense')).status).toBe(400);
  });

  it('shows one user: wallet, points, sessions, rentals, dues, KYC and what staff did', async () => {
    const finance = await signUpAdmin(api(), 'finance');
    const user = await signUp(api());
    await fund(user.userId, 1_234);
    await aRentalOf(user, { status: 'settled', dueAmount: 300 });
    const detail = await api().rest('GET', `/api/admin/users/${user.userId}`, undefined, as(finance));
    expect(detail.status, JSON.stringify(detail.body)).toBe(200);
    expect(detail.body.data).toMatchObject({
      user: { id: user.userId, status: 'active', kycStatus: 'not_submitted' },
      wallet: { balance: 1_234, held: 0 },
      staffRole: null,
      dueTotal: 300,
      kyc: null,
    });
    expect(detail.body.data.sessions).toHaveLength(1);
    expect(detail.body.data.rentals).toHaveLength(1);
    expect(JSON.stringify(detail.body.data)).not.toContain(user.token);
    expect(
      (await api().rest('GET', `/api/admin/users/${crypto.randomUUID()}`, undefined, as(finance))).status,
    ).toBe(404);
  });
});

describe('admin users: suspend, reinstate, sign out', () => {
  it('suspend then reinstate, each once, with its reason logged; the user signs in again', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const user = await signUp(api());
    const post = (action: string) =>
      api().rest('POST', `/api/admin/users/${user.userId}/${action}`, { reason: `${action} test` }, as(ops));
    expect((await post('reinstate')).status).toBe(409);
    expect((await post('suspend')).body.data).toEqual({ userId: user.userId, status: 'suspended' });
    expect((await api().rest('GET', '/api/auth/me', undefined, as(user))).status).toBe(401);
    expect((await post('suspend')).status).toBe(409);
    expect((await post('reinstate')).body.data.status).toBe('active');
    expect((await logRows(user.userId)).map((r) => [r.action, r.reason, r.before, r.after])).toEqual([
      ['user.suspend', 'suspend test', { status: 'active' }, { status: 'suspended' }],
      ['user.reinstate', 'reinstate test', { status: 'suspended' }, { status: 'active' }],
    ]);
    // Signed in again (a new session: suspension revoked the old one).
    expect(await signUp(api()).then(() => true)).toBe(true);
  });

  it('revokes every session of a user below the rank; not of a higher one', async () => {
    const support = await signUpAdmin(api(), 'support');
    const user = await signUp(api());
    const revoked = await api().rest(
      'POST',
      `/api/admin/users/${user.userId}/revoke-sessions`,
      { reason: 'lost phone' },
      as(support),
    );
    expect(revoked.body.data).toEqual({ userId: user.userId, revoked: 1 });
    expect((await api().rest('GET', '/api/auth/me', undefined, as(user))).status).toBe(401);
    const ops = await signUpAdmin(api(), 'operations');
    const refused = await api().rest(
      'POST',
      `/api/admin/users/${ops.userId}/revoke-sessions`,
      { reason: 'nope' },
      as(support),
    );
    expect(refused.status).toBe(403);
    expect((await api().rest('GET', '/api/auth/me', undefined, as(ops))).status).toBe(200);
  });
});

describe('admin users: balances through the ledger', () => {
  const adjust = (
    admin: SignedUp,
    userId: string,
    kind: 'wallet' | 'points',
    body: Record<string, unknown>,
  ) => api().rest('POST', `/api/admin/users/${userId}/${kind}`, { reason: 'correction', ...body }, as(admin));

  it('never below zero: concurrent staff debits and the user’s own debits take at most what is there', async () => {
    const finance = await signUpAdmin(api(), 'finance');
    const user = await signUp(api());
    await fund(user.userId, 1_000);
    const staff = Array.from({ length: 8 }, () =>
      adjust(finance, user.userId, 'wallet', {
        direction: 'debit',
        amount: 200,
        idempotencyKey: crypto.randomUUID(),
      }),
    );
    const own = Array.from({ length: 8 }, () =>
      ledger
        .debitWallet(em(), {
          userId: user.userId,
          amount: 150,
          type: 'rental_charge',
          idempotencyKey: `own:${crypto.randomUUID()}`,
        })
        .then(
          () => 150,
          () => 0,
        ),
    );
    const answers = await Promise.all(staff);
    const ownTaken = (await Promise.all(own)).reduce((a, b) => a + b, 0);
    const staffTaken = answers.filter((a) => a.status === 200).length * 200;
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body.error.code)).toEqual(
      Array(answers.filter((a) => a.status !== 200).length).fill('INSUFFICIENT_FUNDS'),
    );
    const balance = await walletOf(user.userId);
    expect(balance).toBe(1_000 - staffTaken - ownTaken);
    expect(balance).toBeGreaterThanOrEqual(0);
    expect(balance).toBeLessThan(150); // nothing that fitted was refused
    const entries = await em().find(WalletTransaction, { user: user.userId });
    expect(entries.reduce((sum, e) => sum + e.amount, 0)).toBe(balance);
    // One log row per staff debit that went through, none for the refused ones.
    expect(await em().count(AdminActionLog, { targetId: user.userId })).toBe(staffTaken / 200);
  });

  it('a double click: the same key ten times at once credits once and logs once; with another amount 409', async () => {
    const finance = await signUpAdmin(api(), 'finance');
    const user = await signUp(api());
    const idempotencyKey = crypto.randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        adjust(finance, user.userId, 'points', { direction: 'credit', amount: 70, idempotencyKey }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.filter((a) => !a.body.data.replayed)).toHaveLength(1);
    expect(
      answers.every((a) => a.body.data.balanceAfter === a.body.data.delta + (a.body.data.balanceAfter - 70)),
    ).toBe(true);
    expect(await em().count(PointsTransaction, { user: user.userId, type: 'adjustment' })).toBe(1);
    expect(await em().count(AdminActionLog, { targetId: user.userId })).toBe(1);
    const other = await adjust(finance, user.userId, 'points', {
      direction: 'credit',
      amount: 71,
      idempotencyKey,
    });
    expect(other.status).toBe(409);
    // The same key by another admin is their own adjustment.
    const second = await signUpAdmin(api(), 'finance');
    const theirs = await adjust(second, user.userId, 'points', {
      direction: 'credit',
      amount: 5,
      idempotencyKey,
    });
    expect(theirs.body.data).toMatchObject({ delta: 5, replayed: false });
  });
});

describe('admin rentals: dues and stuck rentals through the rental machine', () => {
  it('waives part of a due once however often clicked, then the rest; the user is told; a rental without a due is refused', async () => {
    const finance = await signUpAdmin(api(), 'finance');
    const user = await signUp(api());
    const { rental } = await aRentalOf(user, { status: 'settled', dueAmount: 500 });
    const waive = (body: Record<string, unknown>) =>
      api().rest(
        'POST',
        `/api/admin/rentals/${rental.id}/waive-due`,
        { reason: 'goodwill', ...body },
        as(finance),
      );
    // A double click: the same reduction twice at once is applied once.
    const clicks = await Promise.all([
      waive({ amount: 200, expectedDue: 500 }),
      waive({ amount: 200, expectedDue: 500 }),
    ]);
    expect(clicks.map((c) => c.status).sort()).toEqual([200, 409]);
    expect(clicks.find((c) => c.status === 200)?.body.data).toMatchObject({
      dueAmount: 300,
      status: 'settled',
    });
    expect((await waive({ expectedDue: 300 })).body.data.dueAmount).toBe(0);
    const again = await waive({ expectedDue: 0 });
    expect(again.status).toBe(422);
    expect((await logRows(rental.id)).map((r) => [r.action, r.after])).toEqual([
      ['rental.waive_due', { status: 'settled', dueAmount: 300, settledAmount: 0 }],
      ['rental.waive_due', { status: 'settled', dueAmount: 0, settledAmount: 0 }],
    ]);
    const notices = await em().find(Notification, { user: user.userId, type: { $like: 'rental_due_%' } });
    expect(notices.map((n) => n.type).sort()).toEqual(['rental_due_reduced', 'rental_due_waived']);
  });

  it('force-closed as returned: settled through the return path — points ledger rows, return notice', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const user = await signUp(api());
    const { rental, station } = await aRentalOf(user);
    const closed = await api().rest(
      'POST',
      `/api/admin/rentals/${rental.id}/force-close`,
      { outcome: 'returned', reason: 'station lost the report' },
      as(ops),
    );
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.data).toMatchObject({ status: 'settled', dueAmount: 0 });
    const stored = await em().findOneOrFail(Rental, { id: rental.id });
    expect(stored.returnStation?.id).toBe(station.id);
    expect(stored.returnedAt).toBeInstanceOf(Date);
    const points = await em().find(PointsTransaction, { idempotencyKey: { $like: `rental:${rental.id}:%` } });
    expect(points.map((p) => p.type).sort()).toEqual(['rental_reward', 'timely_return']);
    expect(await em().count(Notification, { user: user.userId, type: 'rental_returned' })).toBe(1);
    const [log] = await logRows(rental.id);
    expect(log).toMatchObject({ action: 'rental.force_close_returned', before: { status: 'active' } });
    // Closed once: a second close is refused and logs nothing.
    const again = await api().rest(
      'POST',
      `/api/admin/rentals/${rental.id}/force-close`,
      { outcome: 'lost', reason: 'again' },
      as(ops),
    );
    expect(again.status).toBe(422);
    expect(await logRows(rental.id)).toHaveLength(1);
  });

  it('force-closed as lost charges the power bank’s price (a due when the wallet cannot); as refunded gives the payment back', async () => {
    const ops = await signUpAdmin(api(), 'operations');
    const user = await signUp(api());
    await fund(user.userId, 1_000);
    const lost = await aRentalOf(user, { status: 'overdue' });
    const close = (id: string, outcome: string) =>
      api().rest(
        'POST',
        `/api/admin/rentals/${id}/force-close`,
        { outcome, reason: 'stuck for days' },
        as(ops),
      );
    expect((await close(lost.rental.id, 'lost')).body.data).toMatchObject({
      status: 'lost',
      dueAmount: 4_000,
    });
    expect((await em().findOneOrFail(PowerBank, { id: lost.powerBank.id })).status).toBe('lost');
    expect(await em().count(Notification, { user: user.userId, type: 'rental_lost' })).toBe(1);

    const refunded = await aRentalOf(user, { status: 'dispensing' });
    expect((await close(refunded.rental.id, 'refunded')).body.data).toMatchObject({ status: 'cancelled' });
    expect(await walletOf(user.userId)).toBe(1_800);
    expect(await em().count(Notification, { user: user.userId, type: 'rental_refunded' })).toBe(1);
    // A rental with a due is not refunded over it.
    const owing = await aRentalOf(user, { status: 'active', dueAmount: 100 });
    const refused = await close(owing.rental.id, 'refunded');
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('waive it first');
  });
});
