import { SellerAccount, User } from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledger } from './ledger.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

/** A seller with an empty balance account. */
async function aSeller(): Promise<string> {
  const em = db.orm.em.fork();
  const user = anyRow(em, User, {});
  anyRow(em, SellerAccount, { user, balance: 0, currency: 'USD' });
  await em.flush();
  return user.id;
}

async function state(userId: string) {
  const [row] = await db.orm.em
    .fork()
    .getConnection()
    .execute<{ balance: string; entries: string }[]>(
      `select a.balance, (select coalesce(sum(amount), 0) from seller_account_entry e where e.account_id = a.id) as entries
         from seller_account a where a.user_id = ?`,
      [userId],
    );
  return { balance: Number(row?.balance), entries: Number(row?.entries) };
}

describe('the seller ledger (a third account, the same invariants)', () => {
  it('100 concurrent payouts of 100 against 1,000: exactly 10 go through; entries sum to the balance, never below zero', async () => {
    const userId = await aSeller();
    await ledger.creditSeller(db.orm.em.fork(), {
      userId,
      amount: 1_000,
      type: 'order_revenue',
      idempotencyKey: `seller-test:${userId}:revenue`,
    });
    const attempts = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        ledger.debitSeller(db.orm.em.fork(), {
          userId,
          amount: 100,
          type: 'payout',
          idempotencyKey: `seller-test:${userId}:payout:${i}`,
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(10);
    const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(new Set(refused.map((r) => (r.reason as { code?: string }).code))).toEqual(
      new Set(['INSUFFICIENT_FUNDS']),
    );
    expect(await state(userId)).toEqual({ balance: 0, entries: 0 });
  });

  it('a key applies once: a retry replays, the key for another amount is refused; a missing account is NOT_FOUND', async () => {
    const userId = await aSeller();
    const em = db.orm.em.fork();
    const input = {
      userId,
      amount: 500,
      type: 'order_revenue' as const,
      idempotencyKey: `seller-test:${userId}:once`,
    };
    const first = await ledger.creditSeller(em, input);
    const again = await ledger.creditSeller(em, input);
    expect(again).toMatchObject({ entryId: first.entryId, replayed: true, balanceAfter: 500 });
    await expect(ledger.creditSeller(em, { ...input, amount: 501 })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await state(userId)).toEqual({ balance: 500, entries: 500 });
    const nobody = anyRow(em, User, {});
    await em.flush();
    await expect(
      ledger.debitSeller(em, {
        userId: nobody.id,
        amount: 1,
        type: 'payout',
        idempotencyKey: `seller-test:none`,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the database refuses a negative balance even without the ledger', async () => {
    const userId = await aSeller();
    await expect(
      db.orm.em
        .fork()
        .getConnection()
        .execute('update seller_account set balance = -1 where user_id = ?', [userId]),
    ).rejects.toThrow(/seller_account_balance_non_negative/);
  });
});
