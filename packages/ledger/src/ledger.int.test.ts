import type { EntityManager } from '@mikro-orm/postgresql';
import { runPrepared, sqlBatch, UserPoints, Wallet } from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledger } from './ledger.ts';
import { pointsCreditStatements } from './ledger-entry.ts';
import { PAYMENT_READ, type PaymentRead, payFromBalances } from './pay.ts';
import { PAYMENT_CONFIG_KEYS } from './payment-config.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

let seq = 0;
const key = (what: string) => `test:${what}:${Date.now()}:${++seq}`;

/** A user with an empty wallet and points account; money arrives only through the ledger. */
async function aUser(): Promise<{ userId: string; walletId: string }> {
  const em = db.orm.em.fork();
  const wallet = anyRow(em, Wallet, { balance: 0, held: 0, currency: 'USD' });
  await em.flush();
  const points = anyRow(em, UserPoints, { user: wallet.user, balance: 0, lifetimeEarned: 0 });
  await em.flush();
  expect(points.id).toBeTruthy();
  return { userId: wallet.user.id, walletId: wallet.id };
}

async function balances(em: EntityManager, userId: string) {
  const [row] = await em.execute<
    { balance: string; ledger: string; points: number; points_ledger: string }[]
  >(
    `select w.balance, (select coalesce(sum(amount), 0) from wallet_transaction where wallet_id = w.id) as ledger,
            p.balance as points, (select coalesce(sum(points), 0) from points_transaction where account_id = p.id) as points_ledger
       from wallet w join user_points p on p.user_id = w.user_id where w.user_id = ?`,
    [userId],
  );
  return {
    wallet: Number(row?.balance),
    walletLedger: Number(row?.ledger),
    points: Number(row?.points),
    pointsLedger: Number(row?.points_ledger),
  };
}

describe('ledger on the real database', () => {
  it('1,000 concurrent debits on a wallet that can afford 10: exactly 10 succeed', async () => {
    const { userId } = await aUser();
    const em = db.orm.em.fork();
    await ledger.creditWallet(em, { userId, amount: 1_000, type: 'topup', idempotencyKey: key('seed') });
    const attempts = await Promise.allSettled(
      Array.from({ length: 1_000 }, (_, i) =>
        ledger.debitWallet(db.orm.em.fork(), {
          userId,
          amount: 100,
          type: 'rental_charge',
          idempotencyKey: key(`debit-${i}`),
        }),
      ),
    );
    const ok = attempts.filter((a) => a.status === 'fulfilled');
    const refused = attempts.filter((a) => a.status === 'rejected');
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(990);
    for (const r of refused) expect((r as PromiseRejectedResult).reason.code).toBe('INSUFFICIENT_FUNDS');
    const after = await balances(em, userId);
    expect(after.wallet).toBe(0);
    expect(after.walletLedger).toBe(after.wallet);
  });

  it('the same idempotency key 100 times concurrently has one effect', async () => {
    const { userId } = await aUser();
    const em = db.orm.em.fork();
    await ledger.creditWallet(em, { userId, amount: 10_000, type: 'topup', idempotencyKey: key('seed') });
    const same = key('once');
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        ledger.debitWallet(db.orm.em.fork(), {
          userId,
          amount: 700,
          type: 'rental_charge',
          idempotencyKey: same,
          reference: { type: 'rental', id: 'r1' },
        }),
      ),
    );
    expect(new Set(results.map((r) => r.entryId)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.every((r) => r.balanceAfter === 9_300)).toBe(true);
    const after = await balances(em, userId);
    expect(after.wallet).toBe(9_300);
    expect(after.walletLedger).toBe(9_300);
  });

  it('same key with another amount is refused with IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
    const { userId } = await aUser();
    const em = db.orm.em.fork();
    const k = key('reuse');
    await ledger.creditWallet(em, { userId, amount: 500, type: 'topup', idempotencyKey: k });
    await expect(
      ledger.creditWallet(em, { userId, amount: 600, type: 'topup', idempotencyKey: k }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // A retry after the money is gone still answers with the original result, not INSUFFICIENT_FUNDS.
    const d = key('debit');
    await ledger.debitWallet(em, { userId, amount: 500, type: 'fine', idempotencyKey: d });
    await expect(
      ledger.debitWallet(em, { userId, amount: 500, type: 'fine', idempotencyKey: d }),
    ).resolves.toMatchObject({
      replayed: true,
      balanceAfter: 0,
    });
    expect(await balances(em, userId)).toMatchObject({ wallet: 0, walletLedger: 0 });
  });

  it('points: credits count as earned, refunds do not; overdraft refused', async () => {
    const { userId } = await aUser();
    const em = db.orm.em.fork();
    await ledger.creditPoints(em, { userId, amount: 50, type: 'signup_bonus', idempotencyKey: key('p') });
    await ledger.creditPoints(em, { userId, amount: 5, type: 'refund', idempotencyKey: key('p') });
    await expect(
      ledger.debitPoints(em, { userId, amount: 56, type: 'rental_payment', idempotencyKey: key('p') }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { missing: 1 } });
    const account = await em.fork().findOneOrFail(UserPoints, { user: userId });
    expect(account.balance).toBe(55);
    expect(account.lifetimeEarned).toBe(50);
  });

  it('pays wallet_points in one transaction; a retry is the same payment; a race loser changes nothing', async () => {
    const { userId } = await aUser();
    const em = db.orm.em.fork();
    await ledger.creditWallet(em, { userId, amount: 1_000, type: 'topup', idempotencyKey: key('seed') });
    await ledger.creditPoints(em, { userId, amount: 30, type: 'signup_bonus', idempotencyKey: key('seed') });
    const k = key('pay');
    const input = {
      userId,
      amount: 1_000,
      type: 'rental' as const,
      mode: 'wallet_points' as const,
      reference: { type: 'rental', id: 'r2' },
      idempotencyKey: k,
    };
    const [a, b] = await Promise.all([
      payFromBalances(db.orm.em.fork(), input),
      payFromBalances(db.orm.em.fork(), input),
    ]);
    expect(a.transactionId).toBe(b.transactionId);
    expect(a.split).toMatchObject({ points: 30, walletAmount: 700 });
    expect(await balances(em, userId)).toMatchObject({
      wallet: 300,
      walletLedger: 300,
      points: 0,
      pointsLedger: 0,
    });
    await expect(payFromBalances(db.orm.em.fork(), { ...input, amount: 999 })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    await expect(
      payFromBalances(db.orm.em.fork(), {
        ...input,
        idempotencyKey: key('pay'),
        amount: 301,
        mode: 'wallet',
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await balances(em, userId)).toMatchObject({ wallet: 300, walletLedger: 300 });
  });

  it("a payment's key answers only the same payment: another user's, another reference's → 409, nothing paid or cleared", async () => {
    const em = db.orm.em.fork();
    const [alice, bob] = [await aUser(), await aUser()];
    for (const { userId } of [alice, bob]) {
      await ledger.creditWallet(em, { userId, amount: 1_000, type: 'topup', idempotencyKey: key('seed') });
    }
    const k = key('due');
    const due = (userId: string, rental: string) => ({
      userId,
      amount: 400,
      type: 'due' as const,
      mode: 'wallet' as const,
      reference: { type: 'rental', id: rental },
      idempotencyKey: k,
    });
    await payFromBalances(db.orm.em.fork(), due(alice.userId, 'r1'));
    // The same key, amount, type and mode: once by another user, once for another rental of Alice's.
    await expect(payFromBalances(db.orm.em.fork(), due(bob.userId, 'r2'))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    await expect(payFromBalances(db.orm.em.fork(), due(alice.userId, 'r3'))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    // The very same payment again is its replay.
    await expect(payFromBalances(db.orm.em.fork(), due(alice.userId, 'r1'))).resolves.toMatchObject({
      replayed: true,
    });
    expect(await balances(em, alice.userId)).toMatchObject({ wallet: 600, walletLedger: 600 });
    expect(await balances(em, bob.userId)).toMatchObject({ wallet: 1_000, walletLedger: 1_000 });
  });

  it('atomicWithCaller: payment and entries inside the caller, no savepoints; a refusal undoes the caller too', async () => {
    const { userId } = await aUser();
    const em = db.orm.em.fork();
    await ledger.creditWallet(em, { userId, amount: 1_000, type: 'topup', idempotencyKey: key('seed') });
    const k = key('atomic');
    const debit = { userId, amount: 100, type: 'rental_charge' as const, idempotencyKey: k };
    const paid = await db.orm.em.fork().transactional(async (tem) => {
      const result = await payFromBalances(tem, {
        ...debit,
        type: 'rental',
        mode: 'wallet',
        reference: { type: 'rental', id: 'r3' },
        atomicWithCaller: true,
      });
      await ledger.creditPoints(tem, {
        userId,
        amount: 5,
        type: 'rental_reward',
        idempotencyKey: key('reward'),
        atomicWithCaller: true,
      });
      return result;
    });
    expect(paid.split.walletAmount).toBe(100);
    expect(await balances(em, userId)).toMatchObject({ wallet: 900, walletLedger: 900, points: 5 });
    // Without savepoints a refusal fails the caller's transaction, with its other work.
    const other = key('other');
    await expect(
      db.orm.em.fork().transactional(async (tem) => {
        await ledger.creditPoints(tem, { userId, amount: 7, type: 'rental_reward', idempotencyKey: other });
        await payFromBalances(tem, {
          ...debit,
          type: 'rental',
          mode: 'wallet',
          reference: { type: 'rental', id: 'r3' },
          idempotencyKey: key('fresh'),
          amount: 5_000,
          atomicWithCaller: true,
        });
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await balances(em, userId)).toMatchObject({
      wallet: 900,
      walletLedger: 900,
      points: 5,
      pointsLedger: 5,
    });
  });

  it('an atomic payment writes its row in the statement of its debit; a debit refused there takes the row back with the caller', async () => {
    const { userId } = await aUser();
    const em = db.orm.em.fork();
    await ledger.creditWallet(em, { userId, amount: 1_000, type: 'topup', idempotencyKey: key('seed') });
    const payment = (idempotencyKey: string, amount: number, read?: PaymentRead) => ({
      userId,
      amount,
      type: 'rental' as const,
      mode: 'wallet' as const,
      reference: { type: 'rental', id: idempotencyKey },
      idempotencyKey,
      atomicWithCaller: true,
      read,
    });
    const paidKey = key('paid');
    const paid = await db.orm.em.fork().transactional((tem) => payFromBalances(tem, payment(paidKey, 600)));
    const [row] = await em.execute<{ id: string; entry_tx: string }[]>(
      `select t.id, (select transaction_id from wallet_transaction where idempotency_key = ?) as entry_tx
         from transactions t where t.idempotency_key = ?`,
      [`${paidKey}:wallet`, paidKey],
    );
    expect(row).toEqual({ id: paid.transactionId, entry_tx: paid.transactionId });

    // The payment decides from a read taken before the wallet was spent elsewhere (400 left, 300 to
    // pay): its debit finds no funds, and the payment row written with it goes with the caller.
    const lateKey = key('late');
    const [read] = await runPrepared(em, PAYMENT_READ, {
      userId,
      key: lateKey,
      configKeys: PAYMENT_CONFIG_KEYS,
    });
    await ledger.debitWallet(em, {
      userId,
      amount: 300,
      type: 'rental_charge',
      idempotencyKey: key('elsewhere'),
    });
    await expect(
      db.orm.em.fork().transactional((tem) => payFromBalances(tem, payment(lateKey, 300, read))),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await em.execute('select id from transactions where idempotency_key = ?', [lateKey])).toEqual([]);
    expect(await balances(em, userId)).toMatchObject({ wallet: 100, walletLedger: 100 });
  });

  it('refuses a row alongside an entry outside an atomic caller', async () => {
    const { userId } = await aUser();
    await expect(
      ledger.creditWallet(db.orm.em.fork(), {
        userId,
        amount: 1,
        type: 'topup',
        idempotencyKey: key('alone'),
        alongside: {
          paymentId: 'x',
          payerId: userId,
          paymentType: 'rental',
          total: 1,
          currency: 'USD',
          walletAmount: 1,
          pointsUsed: 0,
          gateway: 'wallet',
          rentalId: null,
          note: null,
          metadata: '{}',
          paymentKey: key('alone-payment'),
        },
      }),
    ).rejects.toThrow(/atomicWithCaller/);
  });

  it("points credits in the caller's batch: written with it; without an account the batch and the caller fail", async () => {
    const { userId } = await aUser();
    const credit = (user: string, what: string) =>
      pointsCreditStatements({ userId: user, amount: 5, type: 'rental_reward', idempotencyKey: key(what) });
    await db.orm.em
      .fork()
      .transactional((tem) => sqlBatch(tem, [...credit(userId, 'a'), ...credit(userId, 'b')]));
    expect(await balances(db.orm.em.fork(), userId)).toMatchObject({ points: 10, pointsLedger: 10 });

    // A wallet but no points account: the credit writes nothing, its check fails the batch, and the
    // caller's own write in the same transaction is undone with it.
    const em = db.orm.em.fork();
    const wallet = anyRow(em, Wallet, { balance: 0, held: 0, currency: 'USD' });
    await em.flush();
    const noPoints = wallet.user.id;
    const callerKey = key('caller');
    await expect(
      db.orm.em.fork().transactional(async (tem) => {
        await ledger.creditWallet(tem, {
          userId: noPoints,
          amount: 7,
          type: 'topup',
          idempotencyKey: callerKey,
        });
        await sqlBatch(tem, credit(noPoints, 'c'));
      }),
    ).rejects.toThrow(/no points account for this credit/);
    const [left] = await em.execute<{ n: string }[]>(
      'select count(*) as n from wallet_transaction where idempotency_key = ?',
      [callerKey],
    );
    expect(Number(left?.n)).toBe(0);
  });
});
