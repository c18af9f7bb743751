import type { EntityManager } from '@mikro-orm/postgresql';
import { createTestOrm, type TestOrm } from '@powerbank/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aStation, northOf } from './station.builders.ts';
import { type DirectoryTiming, StationDirectorySource } from './station-directory.source.ts';

const ORIGIN = { lat: 27.7, lng: 85.3 };
const quiet = pino({ level: 'silent' });

describe('StationDirectorySource (real Postgres)', () => {
  let db: TestOrm;

  beforeAll(async () => {
    db = await createTestOrm();
    const em = db.orm.em.fork();
    aStation(em, {
      sn: 'DIR-1',
      name: 'One',
      lat: northOf(ORIGIN.lat, 100),
      lng: ORIGIN.lng,
      slots: [{ status: 'ready', battery: 90 }, { status: 'ready', battery: 80 }, { status: 'empty' }],
    });
    await em.flush();
  });
  afterAll(() => db.close());
  /** Plain SQL on its own connection, as another process would write. */
  const sql = (query: string, params: unknown[] = []) => db.orm.em.fork().execute(query, params);

  const source = (timing: Partial<DirectoryTiming>) =>
    new StationDirectorySource(
      db.orm,
      { refreshMs: 0, maxStaleMs: 0, fullReloadMs: 300_000, ...timing },
      quiet,
    );
  const dir1 = async (stations: StationDirectorySource) =>
    (await stations.get())
      .nearby({ ...ORIGIN, radiusM: 1_000, minBattery: 20 }, 0, 20)
      .results.find((s) => s.sn === 'DIR-1');

  /** What station-core's projection does when a power bank leaves: plain SQL, not through this ORM. */
  const ejectOne = (em: EntityManager = db.orm.em.fork()) =>
    em.execute(
      `update station_slot set status = 'empty', power_bank_id = null, battery_level = null, updated_at = now()
       where id = (select ss.id from station_slot ss join station s on s.id = ss.station_id
                   where s.serial_number = 'DIR-1' and ss.status = 'ready' order by ss.slot_index limit 1)`,
    );

  it('sees rows written by other processes, without re-reading everything', async () => {
    const stations = source({});
    expect(await dir1(stations)).toMatchObject({ sn: 'DIR-1', availablePowerBanks: 2, freeSlots: 1 });
    await ejectOne();
    expect(await dir1(stations)).toMatchObject({ availablePowerBanks: 1, freeSlots: 2 });

    // A new station inserted by plain SQL appears too (station-core adds unknown stations itself).
    await sql(
      `insert into station (id, serial_number, name, address, latitude, longitude, status, slot_count, is_public, created_at, updated_at)
       values (gen_random_uuid(), 'DIR-2', 'Two', 'Main St', ?, ?, 'online', 4, true, now(), now())`,
      [northOf(ORIGIN.lat, 50), ORIGIN.lng],
    );
    const sns = (await stations.get()).nearby({ ...ORIGIN, radiusM: 1_000, minBattery: 20 }, 0, 20).results;
    expect(sns.map((s) => s.sn)).toEqual(['DIR-2', 'DIR-1']);
  });

  it('a write whose transaction began before a refresh and committed after it is not lost', async () => {
    const stations = source({});
    const before = (await dir1(stations))?.freeSlots ?? 0;
    const transaction = db.orm.em.fork();
    await transaction.begin();
    await ejectOne(transaction); // updated_at = now() = this transaction's start
    // The transaction stays open a while (300 ms by the database's clock, which stamps and compares
    // the rows) before the refresh below runs.
    const [{ started }] = (await transaction.execute(`select now()::text as started`)) as [
      { started: string },
    ];
    await expect
      .poll(
        async () =>
          (
            (await sql(`select clock_timestamp() - ?::timestamptz > interval '300 milliseconds' as open`, [
              started,
            ])) as [{ open: boolean }]
          )[0].open,
        { interval: 20 },
      )
      .toBe(true);
    expect((await dir1(stations))?.freeSlots).toBe(before); // uncommitted: not visible yet
    await transaction.commit();
    expect((await dir1(stations))?.freeSlots).toBe(before + 1);
  });

  it('within the refresh interval it answers from memory, then catches up in the background', async () => {
    const stations = source({ refreshMs: 50, maxStaleMs: 60_000 });
    const before = (await dir1(stations))?.freeSlots ?? 0;
    await sql(
      `update station_slot set status = 'ready', battery_level = 99, updated_at = now()
       where station_id = (select id from station where serial_number = 'DIR-1') and status = 'empty'`,
    );
    expect((await dir1(stations))?.freeSlots).toBe(before); // fresh enough: no query
    await expect.poll(async () => (await dir1(stations))?.freeSlots, { interval: 60 }).toBe(0);
  });

  it('re-reads only the stations with rows it has not applied yet', async () => {
    const stations = source({});
    const [row] = await sql(`select id from station where serial_number = 'DIR-1'`);
    const id = (row as { id: string }).id;
    // Each read below comes once the clock has moved past the last one, so it refreshes again (max
    // staleness 0: a read in the same millisecond as the last refresh would answer from memory).
    let lastRead = 0;
    const later = async () => {
      await expect.poll(() => Date.now() > lastRead, { interval: 1 }).toBe(true);
      const directory = await stations.get();
      lastRead = Date.now();
      return directory;
    };
    await stations.get();
    lastRead = Date.now();
    await sql(
      `update station_slot set battery_level = 77, updated_at = now() where station_id = ? and status = 'ready'`,
      [id],
    );
    const applied = (await later()).get(id);
    expect(applied?.readyBatteries).toContain(77);
    // The write is still inside the look-back window of the next refresh, which must not re-read it.
    expect((await later()).get(id)).toBe(applied);
    await ejectOne();
    const next = (await later()).get(id);
    expect(next).not.toBe(applied);
    expect(next?.freeSlots).toBe((applied?.freeSlots ?? 0) + 1);
  });
});
