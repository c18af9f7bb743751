import { createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoSeeder } from './demo.seeder.ts';
import { DEMO_STATION_PREFIX } from './support/demo-network.ts';

/** Row count of every table in the public schema (partitions counted through their parent). */
async function countAllTables(db: TestOrm): Promise<Record<string, number>> {
  const conn = db.orm.em.getConnection();
  const tables = await conn.execute<{ name: string }[]>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      order by 1`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await conn.execute<{ n: string }[]>(`select count(*) as n from "${name}"`);
    counts[name] = Number(row?.n);
  }
  return counts;
}

describe('DemoSeeder', () => {
  let db: TestOrm;
  let afterFirst: Record<string, number>;

  beforeAll(async () => {
    db = await createTestOrm();
    await db.orm.seeder.seed(DemoSeeder);
    afterFirst = await countAllTables(db);
  });
  afterAll(() => db.close());

  it('seeding again changes no row count', async () => {
    await db.orm.seeder.seed(DemoSeeder);
    expect(await countAllTables(db)).toEqual(afterFirst);
  });

  it('fills the static tables and 50 stations with slots and power banks', () => {
    for (const table of [
      'country',
      'app_config',
      'payment_method',
      'rental_package',
      'content_page',
      'faq',
      'banner',
      'contact_info',
      'app_update',
      'app_version',
      'achievement',
      'notification_template',
      'notification_rule',
      'station_amenity',
      'station_amenity_mapping',
      'station_media',
      'admin_profile',
      'category',
      'product',
      'product_asset',
      'inventory_item',
      'subscription_plan',
      'coupon',
    ]) {
      expect(afterFirst[table], table).toBeGreaterThan(0);
    }
    expect(afterFirst.station).toBe(50);
    expect(afterFirst.power_bank).toBeGreaterThan(0);
  });

  it('gives every station 8–12 slots and keeps each slot consistent with its power bank', async () => {
    const conn = db.orm.em.getConnection();
    const [stations] = await conn.execute<{ n: string; min: number; max: number; wrong: string }[]>(
      `select count(*) as n, min(slot_count) as min, max(slot_count) as max,
              count(*) filter (where slot_count <> (select count(*) from station_slot s where s.station_id = st.id)) as wrong
         from station st where serial_number like ?`,
      [`${DEMO_STATION_PREFIX}%`],
    );
    expect(Number(stations?.n)).toBe(50);
    expect(stations?.min).toBeGreaterThanOrEqual(8);
    expect(stations?.max).toBeLessThanOrEqual(12);
    expect(Number(stations?.wrong)).toBe(0);

    const inconsistent = await conn.execute(
      `select s.id from station_slot s left join power_bank p on p.id = s.power_bank_id
        where (s.power_bank_id is null and (s.status <> 'empty' or s.battery_level is not null))
           or (s.power_bank_id is not null and (
                p.status <> 'in_slot' or p.current_station_id <> s.station_id
             or p.current_slot_index <> s.slot_index or p.battery_level <> s.battery_level
             or s.status <> case when s.battery_level >= 20 then 'ready' else 'charging' end))`,
    );
    expect(inconsistent).toEqual([]);
    const [orphans] = await conn.execute<{ n: string }[]>(
      `select count(*) as n from power_bank p where not exists (select 1 from station_slot s where s.power_bank_id = p.id)`,
    );
    expect(Number(orphans?.n)).toBe(0);
  });

  it('keeps every wallet and points balance equal to the sum of its ledger', async () => {
    const conn = db.orm.em.getConnection();
    const wallets = await conn.execute<{ balance: string; ledger: string }[]>(
      `select w.balance, coalesce((select sum(t.amount) from wallet_transaction t where t.wallet_id = w.id), 0) as ledger from wallet w`,
    );
    const points = await conn.execute<{ balance: number; ledger: string }[]>(
      `select p.balance, coalesce((select sum(t.points) from points_transaction t where t.account_id = p.id), 0) as ledger from user_points p`,
    );
    expect(wallets.length).toBe(afterFirst.users);
    expect(points.length).toBe(afterFirst.users);
    expect(wallets.some((w) => Number(w.balance) > 0)).toBe(true);
    for (const row of [...wallets, ...points]) expect(Number(row.balance)).toBe(Number(row.ledger));
  });

  it('stores the RULES.md defaults in AppConfig', async () => {
    const rows = await db.orm.em
      .getConnection()
      .execute<{ key: string; value: unknown }[]>('select key, value from app_config');
    const config = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    expect(config).toMatchObject({
      points_per_currency_unit: 10,
      topup_points_rate_pct: 10,
      signup_bonus_points: 50,
      postpaid_min_balance: 5000,
      late_fee_daily_cap: 10000,
      kyc_required_for_rental: false,
      max_open_rentals: 1,
    });
  });
});
