import { createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshAnalytics } from '../../analytics/refresh-analytics.ts';
import { generateLargeDataSet, type RunSql } from './generate-large-data-set.ts';
import { createProgress } from './progress.ts';

describe('generateLargeDataSet (small run, small chunks)', () => {
  let db: TestOrm;
  let sql: RunSql;
  const lines: string[] = [];
  const options = { stations: 250, users: 1200, stationChunk: 100, userChunk: 500 };

  beforeAll(async () => {
    db = await createTestOrm();
    sql = (text) => db.orm.em.getConnection().execute(text, [], 'all');
  });
  afterAll(() => db.close());

  it('writes stations with 8–24 consistent slots, and users with their owned rows', async () => {
    const result = await generateLargeDataSet(
      sql,
      options,
      createProgress((line) => lines.push(line)),
    );
    expect(result).toMatchObject({ stations: 250, users: 1200 });
    expect(result.powerBanks).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('250/250 stations'))).toBe(true);

    const [check] = await sql<{
      bad_slots: string;
      bad_counts: string;
      min: number;
      max: number;
      owned: string;
    }>(
      `select (select count(*) from station_slot s left join power_bank p on p.id = s.power_bank_id
                where (s.power_bank_id is null and s.status <> 'empty')
                   or (s.power_bank_id is not null and (p.current_station_id <> s.station_id
                       or p.current_slot_index <> s.slot_index or p.battery_level <> s.battery_level
                       or s.status <> case when s.battery_level >= 20 then 'ready' else 'charging' end))) as bad_slots,
              (select count(*) from station st
                where slot_count <> (select count(*) from station_slot s where s.station_id = st.id)) as bad_counts,
              (select min(slot_count) from station) as min, (select max(slot_count) from station) as max,
              (select count(*) from users u join user_profile f on f.user_id = u.id
                 join wallet w on w.user_id = u.id join user_points p on p.user_id = u.id) as owned`,
    );
    expect(Number(check?.bad_slots)).toBe(0);
    expect(Number(check?.bad_counts)).toBe(0);
    expect(check?.min).toBeGreaterThanOrEqual(8);
    expect(check?.max).toBeLessThanOrEqual(24);
    expect(Number(check?.owned)).toBe(1200);
  });

  /** Runs the generator twice with `size`; the second run's progress lines are kept in `lines`. */
  async function runTwice(size: Parameters<typeof generateLargeDataSet>[1]) {
    const before = await generateLargeDataSet(
      sql,
      size,
      createProgress(() => undefined),
    );
    lines.length = 0;
    const again = await generateLargeDataSet(
      sql,
      size,
      createProgress((line) => lines.push(line)),
    );
    expect({ ...again, seconds: 0, dbSizeMb: 0 }).toEqual({ ...before, seconds: 0, dbSizeMb: 0 });
    return before;
  }

  it('skips every chunk on a second run and ends with the same rows', async () => {
    await runTwice(options);
    expect(lines.filter((line) => line.includes('skipped'))).toHaveLength(3 + 3 + 3);
  });

  it('fills in the rest when run again with larger counts', async () => {
    const bigger = await generateLargeDataSet(
      sql,
      { ...options, stations: 320, users: 1300 },
      createProgress(() => undefined),
    );
    expect(bigger).toMatchObject({ stations: 320, users: 1300 });
  });

  it('writes 90 days of rentals with their payments, top-ups and refunds; resumes; the views add up to them', async () => {
    const withRentals = { ...options, stations: 320, users: 1300, rentals: 3000, rentalChunk: 700 };
    const result = await runTwice(withRentals);
    // 3000 rental payments, 900 top-ups, and a fine for each late return.
    expect(result.rentals).toBe(3000);
    expect(result.transactions).toBeGreaterThan(3900);
    expect(lines.some((line) => line.includes('3,000/3,000 rentals') && line.includes('skipped'))).toBe(true);

    const [shape] = await sql<Record<string, string>>(
      `select count(*) filter (where status = 'failed') as failed,
              count(*) filter (where status = 'lost') as lost,
              count(*) filter (where status = 'settled' and returned_at > due_at) as late,
              count(*) filter (where started_at < timestamptz '2026-09-02' or started_at >= timestamptz '2026-12-01') as outside,
              (select count(*) from transactions t join rental r on r.id = t.rental_id
                where t.type = 'rental' and (t.status = 'failed') <> (r.status = 'failed')) as mismatched,
              (select count(*) from refund) as refunds
         from rental where idempotency_key like 'lg-rental-%'`,
    );
    expect(Number(shape?.failed)).toBeGreaterThan(50);
    expect(Number(shape?.lost)).toBeGreaterThan(5);
    expect(Number(shape?.late)).toBeGreaterThan(100);
    expect(Number(shape?.outside)).toBe(0);
    expect(Number(shape?.mismatched)).toBe(0);
    expect(Number(shape?.refunds)).toBeGreaterThan(5);

    await refreshAnalytics(db.orm);
    const [sums] = await sql<Record<string, string>>(
      `select (select sum(amount) from analytics_revenue_daily) as view_revenue,
              (select sum(t.amount) from transactions t join rental r on r.id = t.rental_id
                where t.status = 'succeeded' and t.type in ('rental', 'extension', 'due', 'fine')) as base_revenue,
              (select sum(started) from analytics_rentals_daily) as view_started,
              (select count(*) from rental where started_at is not null) as base_started`,
    );
    expect(Number(sums?.view_revenue)).toBeGreaterThan(0);
    expect(sums?.view_revenue).toBe(sums?.base_revenue);
    expect(sums?.view_started).toBe(sums?.base_started);
  });
});

describe('generateLargeDataSet: the marketplace part', () => {
  let db: TestOrm;
  let sql: RunSql;
  const market = { stations: 0, users: 300, products: 120, items: 600, orders: 1500 };

  beforeAll(async () => {
    db = await createTestOrm();
    sql = (text) => db.orm.em.getConnection().execute(text, [], 'all');
  });
  afterAll(() => db.close());

  it('writes products under leaf categories, items spread over them, past orders never overlapping per item; a rerun adds nothing', async () => {
    await generateLargeDataSet(
      sql,
      market,
      createProgress(() => undefined),
    );
    const counts = async () => {
      const [row] = await sql<Record<string, string>>(
        `select (select count(*) from product) as products, (select count(*) from inventory_item) as items,
                (select count(*) from rental_order where status = 'completed') as orders,
                (select count(*) from rental_order_item) as lines,
                (select count(*) from product p join category c on c.id = p.category_id where c.parent_id is null) as at_roots,
                (select count(*) from product p where not exists (select 1 from inventory_item i where i.product_id = p.id)) as empty,
                (select count(*) from product p where not exists (select 1 from user_role r
                   where r.user_id = p.seller_id and r.role = 'seller' and r.approved_at is not null)) as unsold`,
      );
      return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
    };
    // The exclusion constraint accepted every line: none overlaps another of its item.
    expect(await counts()).toEqual({
      products: 120,
      items: 600,
      orders: 1500,
      lines: 1500,
      at_roots: 0,
      empty: 0,
      unsold: 0,
    });
    await generateLargeDataSet(
      sql,
      market,
      createProgress(() => undefined),
    );
    expect((await counts()).lines).toBe(1500);
  });
});
