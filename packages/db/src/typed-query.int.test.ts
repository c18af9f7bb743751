import { createRequire } from 'node:module';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Wallet } from './entities/index.ts';
import { sqlBatch, sqlRows } from './sql-rows.ts';
import { RENAMED_TABLES } from './typed-db.ts';
import { columnIndex, prepared, runPrepared, runPreparedArrays, statementOf } from './typed-query.ts';

/** pg's per-client type parsers (not in its public types): where a result's column parsers come from. */
const TypeOverrides = createRequire(import.meta.url)('pg/lib/type-overrides.js') as {
  prototype: { getTypeParser(oid: number, format?: string): unknown };
};

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

  it('array rows: the same values as object rows, read by column; described once, then only bound and run', async () => {
    const wallets = [await aWallet(700), await aWallet(0)];
    // Parameters of several types (uuid text, a timestamp, a number), and a null column.
    const byUser = prepared((q, p: { userId: string; since: Date; min: number }) =>
      q
        .selectFrom('wallet')
        .select(['balance', 'user_id', sql<string | null>`null::text`.as('nothing')])
        .where('user_id', '=', p.userId)
        .where('created_at', '>', p.since)
        .where('balance', '>=', p.min),
    );
    const at = columnIndex(byUser);
    expect(at).toEqual({ balance: 0, user_id: 1, nothing: 2 });
    const describe = vi.spyOn(pg.Connection.prototype, 'describe');
    const typeParser = vi.spyOn(TypeOverrides.prototype, 'getTypeParser');
    try {
      // One connection (a transaction's): the first execution parses and describes, the rest bind and run.
      await db.orm.em.fork().transactional(async (em) => {
        for (let round = 0; round < 3; round++) {
          for (const w of wallets) {
            const params = { userId: w.user.id, since: new Date(Date.now() - 3_600_000), min: 0 };
            const rows = await runPreparedArrays(em, byUser, params);
            const objects = await runPrepared(em, byUser, params);
            expect(
              rows.map((r) => ({ balance: r[at.balance], user_id: r[at.user_id], nothing: r[at.nothing] })),
            ).toEqual(objects);
            expect(rows.map((r) => Number(r[at.balance]))).toEqual([Number(w.balance)]);
          }
        }
        const none = await runPreparedArrays(em, byUser, {
          userId: wallets[0]!.user.id,
          since: new Date(),
          min: 0,
        });
        expect(none).toEqual([]);
        // A value pg cannot serialise fails that call only; the connection answers the next one.
        const unserialisable = {
          toPostgres: () => {
            throw new Error('no text for this value');
          },
        } as unknown as Date;
        await expect(
          runPreparedArrays(em, byUser, { userId: wallets[0]!.user.id, since: unserialisable, min: 0 }),
        ).rejects.toThrow('no text for this value');
        expect(
          await runPreparedArrays(em, byUser, { userId: wallets[0]!.user.id, since: new Date(0), min: 0 }),
        ).toHaveLength(1);
      });
      // runPrepared describes on every execution (6); the array rows' statement once in the process.
      const described = describe.mock.calls.length;
      expect(described).toBeGreaterThanOrEqual(6);
      expect(described).toBeLessThanOrEqual(7);
      // Column parsers: runPrepared looks up its 3 columns' on each of its 6 executions; the array
      // rows' statement (8 executions) once. Counted on the connection's own parser set (the first
      // called): it defers to the ORM's, whose calls are not counted again.
      const own = typeParser.mock.contexts[0];
      expect(typeParser.mock.contexts.filter((set) => set === own)).toHaveLength(6 * 3 + 3);
    } finally {
      describe.mockRestore();
      typeParser.mockRestore();
    }
    expect(() => columnIndex(prepared((q) => q.selectFrom('wallet').selectAll()))).toThrow(
      /names each column/,
    );
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
