import { Rental } from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RentalJobFailure, runRentalTimers } from './rental-jobs.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

/** `count` active rentals due a minute ago: the overdue timer's work. */
async function overdueRentals(count: number): Promise<string[]> {
  const em = db.orm.em.fork();
  const startedAt = new Date(Date.now() - 3_600_000);
  const rentals = Array.from({ length: count }, () =>
    anyRow(em, Rental, { status: 'active', startedAt, dueAt: new Date(Date.now() - 60_000), dueAmount: 0 }),
  );
  await em.flush();
  return rentals.map((rental) => rental.id);
}

const statuses = async (ids: string[]) =>
  (
    await db.orm.em
      .fork()
      .getConnection()
      .execute<{ status: string }[]>('select status from rental where id in (?)', [ids])
  ).map((row) => row.status);

/** Postgres refuses every update of this rental (a poisoned row), until `cure`. */
async function poison(rentalId: string) {
  const sql = (text: string) => db.orm.em.fork().getConnection().execute(text);
  const name = `poison_${rentalId.replaceAll('-', '_')}`;
  await sql(`create function ${name}() returns trigger language plpgsql as $$
      begin raise exception 'poisoned rental %', old.id; end $$`);
  await sql(
    `create trigger ${name} before update on rental for each row when (old.id = '${rentalId}') execute function ${name}()`,
  );
  return { cure: () => sql(`drop trigger ${name} on rental; drop function ${name}()`) };
}

describe('rental timers', () => {
  it('one failing rental does not stop the others: it is reported and counted, the rest are applied', async () => {
    const ids = await overdueRentals(5);
    // The second in the order the timer takes them (by id), so rentals come both before and after it.
    const bad = [...ids].sort()[1] as string;
    const poisoned = await poison(bad);
    const failures: RentalJobFailure[] = [];
    const counts = await runRentalTimers(db.orm.em.fork(), new Date(), {
      onFailed: (failure) => failures.push(failure),
    });
    expect(counts).toMatchObject({ overdue: 4, failed: 1, refused: 0 });
    expect(failures).toEqual([{ job: 'overdue', rentalId: bad, error: expect.any(Error) }]);
    expect(String(failures[0]?.error)).toContain('poisoned rental');
    expect((await statuses(ids.filter((id) => id !== bad))).every((s) => s === 'overdue')).toBe(true);
    expect(await statuses([bad])).toEqual(['active']);
    // Rolled back alone and tried again on the next run.
    await poisoned.cure();
    expect(await runRentalTimers(db.orm.em.fork())).toMatchObject({ overdue: 1, failed: 0 });
  });

  it('claims in a transaction: a rental held by another is skipped, not waited for', async () => {
    const ids = await overdueRentals(3);
    const held = ids[0] as string;
    await db.orm.em.fork().transactional(async (other) => {
      await other.execute('select id from rental where id = ? for update', [held]);
      // Would wait for the lock above forever if the claim were not `skip locked` inside a transaction.
      expect(await runRentalTimers(db.orm.em.fork())).toMatchObject({ overdue: 2, failed: 0 });
      expect(await statuses([held])).toEqual(['active']);
    });
    expect(await runRentalTimers(db.orm.em.fork())).toMatchObject({ overdue: 1 });
  });

  it('two concurrent runs never process the same rental twice', async () => {
    const ids = await overdueRentals(200);
    const first = runRentalTimers(db.orm.em.fork());
    // The second starts once the first has read its candidates and is applying them: a claim that
    // ended with the candidates' statement would hand the second the same rentals.
    const overdue = async () => (await statuses(ids)).filter((s) => s === 'overdue').length;
    await expect.poll(overdue, { timeout: 10_000, interval: 5 }).toBeGreaterThan(0);
    const [a, b] = await Promise.all([first, runRentalTimers(db.orm.em.fork())]);
    expect(a.overdue + b.overdue).toBe(200);
    // A rental one run had claimed was neither waited for nor handed to the machine again by the other.
    expect({ a: a.refused, b: b.refused }).toEqual({ a: 0, b: 0 });
    expect((await statuses(ids)).every((s) => s === 'overdue')).toBe(true);
    const notices = await db.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from notification where dedupe_key in (?)`, [
        ids.map((id) => `rental:${id}:rental_overdue`),
      ]);
    expect(Number(notices[0]?.n)).toBe(200);
  });
});
