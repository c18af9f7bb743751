import { createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshAnalytics } from './refresh-analytics.ts';

describe('refreshAnalytics', () => {
  let db: TestOrm;
  const stations: Record<'online' | 'offline' | 'retired', string> = { online: '', offline: '', retired: '' };
  const sql = <T>(query: string) => db.orm.em.fork().getConnection().execute<T[]>(query);
  const uptime = (station: string) =>
    sql<{ observed_seconds: number; online_seconds: number }>(
      `select observed_seconds, online_seconds from station_uptime_day where station_id = '${station}'`,
    );
  /** Moves every last look `seconds` back, as if the job had last run that long ago. */
  const lastLookAgo = (seconds: number) =>
    sql(`update station_uptime_day set last_observed_at = now() - interval '${seconds} seconds'`);

  beforeAll(async () => {
    db = await createTestOrm();
    for (const [key, status] of [
      ['online', 'online'],
      ['offline', 'offline'],
      ['retired', 'decommissioned'],
    ] as const) {
      const [row] = await sql<{ id: string }>(
        `insert into station (id, serial_number, name, address, latitude, longitude, status, slot_count, created_at, updated_at)
         values (gen_random_uuid(), 'UP-${key}-${Date.now()}', '${key}', 'x', 1, 1, '${status}', 4, now(), now()) returning id`,
      );
      stations[key] = row?.id ?? '';
    }
  });
  afterAll(() => db.close());

  it('samples uptime: a first look counts nothing, the next counts the seconds since, online or not', async () => {
    expect(await refreshAnalytics(db.orm)).toEqual({ refreshed: true, stationsObserved: 2 });
    expect(await uptime(stations.online)).toEqual([{ observed_seconds: 0, online_seconds: 0 }]);
    expect(await uptime(stations.retired)).toEqual([]);
    await lastLookAgo(600);
    await refreshAnalytics(db.orm);
    const [online] = await uptime(stations.online);
    const [offline] = await uptime(stations.offline);
    // 600 s, plus the moment between the update and the refresh (whole seconds).
    expect(online?.observed_seconds).toBeGreaterThanOrEqual(600);
    expect(online?.observed_seconds).toBeLessThan(630);
    expect(online?.online_seconds).toBe(online?.observed_seconds);
    expect(offline?.online_seconds).toBe(0);
    expect(offline?.observed_seconds).toBe(online?.observed_seconds);
  });

  it('a gap longer than maxUptimeGapSeconds counts only that much: a stopped job does not guess', async () => {
    const [before] = await uptime(stations.offline);
    await lastLookAgo(2 * 86_400);
    await refreshAnalytics(db.orm, { maxUptimeGapSeconds: 900 });
    const [after] = await uptime(stations.offline);
    expect((after?.observed_seconds ?? 0) - (before?.observed_seconds ?? 0)).toBe(900);
  });

  it('refreshes at once never count the same seconds twice; one holding the lock makes the others skip', async () => {
    const [before] = await uptime(stations.online);
    await lastLookAgo(300);
    const results = await Promise.all(Array.from({ length: 6 }, () => refreshAnalytics(db.orm)));
    expect(results.filter((r) => r.refreshed).length).toBeGreaterThanOrEqual(1);
    const [after] = await uptime(stations.online);
    const added = (after?.observed_seconds ?? 0) - (before?.observed_seconds ?? 0);
    expect(added).toBeGreaterThanOrEqual(300);
    expect(added).toBeLessThan(330);

    // While another session holds the refresh lock, a refresh skips and changes nothing.
    const holder = db.orm.em.fork();
    await holder.transactional(async (tx) => {
      await tx.execute(`select pg_advisory_xact_lock(hashtext('analytics.refresh'))`);
      await lastLookAgo(300);
      expect(await refreshAnalytics(db.orm)).toEqual({ refreshed: false, stationsObserved: 0 });
    });
    expect(await uptime(stations.online)).toEqual([after]);
  });

  it('views show the rows written before the refresh, not after', async () => {
    const count = async () =>
      (await sql<{ n: number }>(`select coalesce(sum(new_users), 0)::int as n from analytics_users_daily`))[0]
        ?.n;
    const before = await count();
    await sql(
      `insert into users (id, phone, referral_code, status, created_at, updated_at)
       values (gen_random_uuid(), '+15550009${String(Date.now()).slice(-3)}', 'REF${String(Date.now()).slice(-6)}', 'active', now(), now())`,
    );
    expect(await count()).toBe(before);
    await refreshAnalytics(db.orm);
    expect(await count()).toBe((before ?? 0) + 1);
  });
});
