import { createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const monthsFromNow = (n: number) => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 15, 12));
};
const partitionName = (table: string, at: Date) =>
  `${table}_p${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, '0')}`;

describe('monthly partitions of system_log and rental_location', () => {
  let db: TestOrm;
  beforeAll(async () => {
    db = await createTestOrm();
  });
  afterAll(() => db.close());
  const sql = <T>(query: string, params: unknown[] = []) =>
    db.orm.em.fork().getConnection().execute<T[]>(query, params);

  const insertLog = (at: Date) =>
    sql<{ part: string }>(
      `insert into system_log (id, occurred_at, level, source, message) values (gen_random_uuid(), ?, 'info', 'test', 'hello')
       returning tableoid::regclass::text as part`,
      [at],
    );

  it('the migration made partitions for the coming months; a row for a future month lands in its own partition', async () => {
    const at = monthsFromNow(2);
    const [row] = await insertLog(at);
    expect(row?.part).toBe(partitionName('system_log', at));
  });

  it('a row beyond the prepared months goes to the default partition and moves when its month is created', async () => {
    const far = monthsFromNow(14);
    const [row] = await insertLog(far);
    expect(row?.part).toBe('system_log_default');

    const [created] = await sql<{ n: number }>(`select ensure_monthly_partitions('system_log', 15, 0) as n`);
    expect(created?.n).toBeGreaterThanOrEqual(12);
    const [moved] = await sql<{ part: string }>(
      `select tableoid::regclass::text as part from system_log where occurred_at = ?`,
      [far],
    );
    expect(moved?.part).toBe(partitionName('system_log', far));
    // Running it again creates nothing new.
    expect(
      (await sql<{ n: number }>(`select ensure_monthly_partitions('system_log', 15, 0) as n`))[0]?.n,
    ).toBe(0);
  });

  it('rental_location is partitioned the same way and keeps its foreign key to rental', async () => {
    const [parts] = await sql<{ n: number }>(
      `select count(*)::int as n from pg_inherits where inhparent = 'rental_location'::regclass`,
    );
    expect(parts?.n).toBeGreaterThanOrEqual(5);
    await expect(
      sql(
        `insert into rental_location (id, recorded_at, rental_id, latitude, longitude) values (gen_random_uuid(), now(), gen_random_uuid(), 1, 1)`,
      ),
    ).rejects.toThrow(/foreign key/);
  });
});
