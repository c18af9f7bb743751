import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wallet } from './entities/index.ts';
import { sqlBatch, sqlRows } from './sql-rows.ts';
import { RENAMED_TABLES } from './typed-db.ts';
import { prepared, runPrepared, statementOf } from './typed-query.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

const addHeld = prepared((q, p: { userId: string; amount: number }) =>
  q
    .updateTable('wallet')
    .set({ held: sql<number>`held + ${p.amount}` })
    .where('user_id', '=', p.userId)
    .returning(['held', 'balance', 'currency']),
);
const walletOf = prepared((q, p: { userId: string }) =>
  q.selectFrom('wallet').select(['id', 'held', 'balance', 'updated_at']).where('user_id', '=', p.userId),
);

async function aWallet(balance: number): Promise<Wallet> {
  const em = db.orm.em.fork();
  const wallet = anyRow(em, Wallet, { balance, held: 0, currency: 'USD' });
  await em.flush();
  return wallet;
}

describe('prepared: typed queries compiled once, bound per call', () => {
  it('compiles the query once to `$n` text and binds the named parameters in order', () => {
    expect(addHeld.text).toBe(
      'update "wallet" set "held" = held + $1 where "user_id" = $2 returning "held", "balance", "currency"',
    );
    expect(addHeld.slots).toEqual([{ param: 'amount' }, { param: 'userId' }]);
  });

  it('runs on the real database as a prepared statement of the em’s transaction, rolled back with it', async () => {
    const wallet = await aWallet(1_000);
    const userId = wallet.user.id;
    await expect(
      db.orm.em.fork().transactional(async (em) => {
        const first = await runPrepared(em, addHeld, { userId, amount: 300 });
        const second = await runPrepared(em, addHeld, { userId, amount: 200 });
        expect([first, second].map((rows) => rows.map((row) => Number(row.held)))).toEqual([[300], [500]]);
        const names = await sqlRows<{ name: string }>(
          em,
          'select name from pg_prepared_statements where statement = $1',
          [addHeld.text],
        );
        expect(names).toEqual([{ name: expect.stringMatching(/^pb_\d+$/) }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const [row] = await runPrepared(db.orm.em.fork(), walletOf, { userId });
    expect(row && Number(row.held)).toBe(0);
  });

  it("throws the ORM's exceptions (a duplicate key is a UniqueConstraintViolationException)", async () => {
    const wallet = await aWallet(0);
    const insert = prepared((q, p: { id: string; userId: string }) =>
      q.insertInto('wallet').values({
        id: p.id,
        user_id: p.userId,
        balance: 0,
        held: 0,
        currency: 'USD',
        version: 1,
        created_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      }),
    );
    await expect(
      runPrepared(db.orm.em.fork(), insert, { id: wallet.id, userId: wallet.user.id }),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('sends compiled statements as one batch, their values inlined (negatives too)', async () => {
    const [a, b] = [await aWallet(100), await aWallet(100)];
    const addBalance = prepared((q, p: { userId: string; amount: number }) =>
      q
        .updateTable('wallet')
        .set({ balance: sql<number>`balance+${p.amount}` })
        .where('user_id', '=', p.userId),
    );
    await sqlBatch(db.orm.em.fork(), [
      statementOf(addBalance, { userId: a.user.id, amount: -40 }),
      statementOf(addBalance, { userId: b.user.id, amount: 25 }),
    ]);
    const balances = await Promise.all(
      [a, b].map(async (w) =>
        Number((await runPrepared(db.orm.em.fork(), walletOf, { userId: w.user.id }))[0]?.balance),
      ),
    );
    expect(balances).toEqual([60, 125]);
  });

  it('names every table as its entity does: the renamed ones are exactly the entities with a tableName', () => {
    // As MikroORM's type-level SnakeCase: an underscore only where a lower-case letter meets an upper-case one.
    const snake = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    const renamed = [...db.orm.getMetadata().getAll().values()]
      .filter((meta) => !meta.embeddable && !meta.virtual && meta.tableName !== snake(meta.className))
      .map((meta) => [snake(meta.className), meta.tableName]);
    expect(Object.fromEntries(renamed)).toEqual(RENAMED_TABLES);
  });
});
