import type { EntityManager } from '@mikro-orm/postgresql';
import { Wallet } from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureHold, holdWallet, releaseHold } from './holds.ts';
import { ledger } from './ledger.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

let seq = 0;
const key = (what: string) => `test:hold:${what}:${Date.now()}:${++seq}`;
const ref = { type: 'rental', id: 'r-hold' };

async function aFundedUser(amount: number): Promise<string> {
  const em = db.orm.em.fork();
  const wallet = anyRow(em, Wallet, { balance: 0, held: 0, currency: 'USD' });
  await em.flush();
  const userId = wallet.user.id;
  await ledger.creditWallet(em, { userId, amount, type: 'topup', idempotencyKey: key('seed') });
  return userId;
}

async function state(em: EntityManager, userId: string) {
  const [row] = await em.execute<{ balance: string; held: string; ledger: string; rows: string }[]>(
    `select w.balance, w.held,
            (select coalesce(sum(amount), 0) from wallet_transaction where wallet_id = w.id) as ledger,
            (select count(*) from wallet_transaction where wallet_id = w.id) as rows
       from wallet w where w.user_id = ?`,
    [userId],
  );
  return {
    balance: Number(row?.balance),
    held: Number(row?.held),
    ledger: Number(row?.ledger),
    rows: Number(row?.rows),
  };
}

const hold = (userId: string, amount: number) =>
  holdWallet(db.orm.em.fork(), { userId, amount, idempotencyKey: key('h'), reference: ref });

describe('wallet holds on the real database', () => {
  it('a hold moves only wallet.held (no ledger row); spendable shrinks; release gives it back', async () => {
    const userId = await aFundedUser(1_000);
    const em = db.orm.em.fork();
    await expect(hold(userId, 600)).resolves.toEqual({ held: 600, balance: 1_000 });
    expect(await state(em, userId)).toEqual({ balance: 1_000, held: 600, ledger: 1_000, rows: 1 });
    // Held money cannot be spent: 401 is more than the 400 spendable.
    await expect(
      ledger.debitWallet(em, { userId, amount: 401, type: 'fine', idempotencyKey: key('d') }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { available: 400 } });
    await expect(hold(userId, 401)).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      details: { available: 400 },
    });
    await expect(
      releaseHold(em, { userId, amount: 600, idempotencyKey: key('r'), reference: ref }),
    ).resolves.toEqual({ held: 0, balance: 1_000 });
    // Releasing what is not held is refused rather than letting held go negative.
    await expect(
      releaseHold(em, { userId, amount: 1, idempotencyKey: key('r'), reference: ref }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await state(em, userId)).toEqual({ balance: 1_000, held: 0, ledger: 1_000, rows: 1 });
  });

  it('two holds racing for the same spendable money: exactly one wins', async () => {
    const userId = await aFundedUser(1_000);
    const results = await Promise.allSettled([hold(userId, 700), hold(userId, 700)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason.code).toBe('INSUFFICIENT_FUNDS');
    expect(await state(db.orm.em.fork(), userId)).toEqual({
      balance: 1_000,
      held: 700,
      ledger: 1_000,
      rows: 1,
    });
  });

  it('200 concurrent holds and debits on a wallet that can afford 10 of them: exactly 10 succeed', async () => {
    const userId = await aFundedUser(1_000);
    const attempts = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0
          ? hold(userId, 100)
          : ledger.debitWallet(db.orm.em.fork(), {
              userId,
              amount: 100,
              type: 'rental_charge',
              idempotencyKey: key(`d${i}`),
            }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(10);
    for (const a of attempts.filter((a) => a.status === 'rejected')) {
      expect((a as PromiseRejectedResult).reason.code).toBe('INSUFFICIENT_FUNDS');
    }
    const after = await state(db.orm.em.fork(), userId);
    expect(after.balance - after.held).toBe(0);
    expect(after.ledger).toBe(after.balance);
  });

  it('capture releases the hold and debits the charge in one transaction; a charge it cannot cover changes nothing', async () => {
    const userId = await aFundedUser(1_000);
    const em = db.orm.em.fork();
    await hold(userId, 500);
    // 1,001 > balance: the capture is undone as a whole and the hold stays.
    await expect(
      captureHold(em, {
        userId,
        amount: 500,
        charge: 1_001,
        type: 'rental_charge',
        idempotencyKey: key('c'),
        reference: ref,
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await state(em, userId)).toEqual({ balance: 1_000, held: 500, ledger: 1_000, rows: 1 });
    // More than the hold but within the balance: the held money pays it.
    const captured = await captureHold(em, {
      userId,
      amount: 500,
      charge: 730,
      type: 'rental_charge',
      idempotencyKey: key('c'),
      reference: ref,
    });
    expect(captured).toMatchObject({ held: 0, balance: 270, entry: { delta: -730 } });
    expect(await state(em, userId)).toEqual({ balance: 270, held: 0, ledger: 270, rows: 2 });
  });

  it('two captures of one hold racing: one settles, the other is refused and charges nothing', async () => {
    const userId = await aFundedUser(1_000);
    await hold(userId, 400);
    const capture = () =>
      captureHold(db.orm.em.fork(), {
        userId,
        amount: 400,
        charge: 100,
        type: 'rental_charge',
        idempotencyKey: key('c'),
        reference: ref,
      });
    const results = await Promise.allSettled([capture(), capture()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code).toBe(
      'CONFLICT',
    );
    expect(await state(db.orm.em.fork(), userId)).toEqual({ balance: 900, held: 0, ledger: 900, rows: 2 });
  });
});
