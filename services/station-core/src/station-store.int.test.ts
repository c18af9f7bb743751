import { openSqlPool, registerStations, type SqlPool } from '@powerbank/db';
import { createTestDatabase, newTestResourceName, type TestDatabase } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusedWriteError, StationStore, type StationWrite } from './station-store.ts';

let db: TestDatabase;
let sql: SqlPool;
let store: StationStore;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = openSqlPool(db.url, 2);
  store = new StationStore(sql);
});
afterAll(async () => {
  await sql?.close();
  await db?.drop();
});

/** A registered station's serial (station-core writes only stations provisioned before). */
async function serial(): Promise<string> {
  const sn = `ST${newTestResourceName().slice(-10)}`;
  await registerStations((text) => sql.query(text), [{ sn, slotCount: 2 }]);
  return sn;
}
const written = (stale: string[] = []) => ({ stale: new Set(stale), refused: new Map() });

/** One transition's write: the snapshot at `version`, a command logged with it. */
function aWrite(sn: string, version: number, note: string): StationWrite {
  return {
    sn,
    machineVersion: 1,
    snapshot: { value: 'online', context: { note } },
    version,
    station: { sn, status: 'online', lastHeartbeatAt: new Date(), firmware: 'test', slotCount: 2 },
    stationChanged: version === 1,
    slots: [],
    newCommands: [
      { id: `cmd-${sn}-${version}`, sn, kind: 'sync', slotIndex: null, rentalId: null, payload: { note } },
    ],
    outcomes: [],
    rented: [],
    missing: [],
    logs: [],
  };
}

const stored = async (sn: string) =>
  (
    await sql.query<{ version: number; snapshot: { context: { note: string } } }>(
      'select version, snapshot from station_actor_state where serial_number = $1',
      [sn],
    )
  )[0];
const commands = async (sn: string) =>
  (
    await sql.query<{ id: string }>('select id from station_command where serial_number = $1 order by id', [
      sn,
    ])
  ).map((row) => row.id);

describe('StationStore.write (a batch in one round trip, snapshots optimistically locked)', () => {
  it('writes snapshots, station rows and commands of every station of the batch together', async () => {
    const [a, b] = [await serial(), await serial()];
    expect(await store.write([aWrite(a, 1, 'a1'), aWrite(b, 1, 'b1'), aWrite(a, 2, 'a2')])).toEqual(
      written(),
    );
    expect(await stored(a)).toMatchObject({ version: 2, snapshot: { context: { note: 'a2' } } });
    expect(await stored(b)).toMatchObject({ version: 1 });
    expect(await commands(a)).toEqual([`cmd-${a}-1`, `cmd-${a}-2`]);
    const [station] = await sql.query<{ status: string }>(
      'select status from station where serial_number = $1',
      [a],
    );
    expect(station?.status).toBe('online');
  });

  it('leaves out a station another writer moved, and writes the rest of its batch', async () => {
    const [a, b] = [await serial(), await serial()];
    await store.write([aWrite(a, 1, 'a1'), aWrite(b, 1, 'b1')]);
    // Another instance's actor wrote b's next state first.
    await sql.query(
      `update station_actor_state set version = 2, snapshot = '{"context":{"note":"theirs"}}' where serial_number = $1`,
      [b],
    );

    expect(await store.write([aWrite(a, 2, 'a2'), aWrite(b, 2, 'b2')])).toEqual(written([b]));
    expect(await stored(a)).toMatchObject({ version: 2, snapshot: { context: { note: 'a2' } } });
    expect(await stored(b)).toMatchObject({ version: 2, snapshot: { context: { note: 'theirs' } } });
    // Nothing of b's stale transition was written, its command included.
    expect(await commands(b)).toEqual([`cmd-${b}-1`]);
    expect(await commands(a)).toEqual([`cmd-${a}-1`, `cmd-${a}-2`]);
  });

  it('a first snapshot of a station that already has one is stale too, and changes nothing', async () => {
    const a = await serial();
    await store.write([aWrite(a, 1, 'a1')]);
    expect(await store.write([aWrite(a, 1, 'again')])).toEqual(written([a]));
    expect(await stored(a)).toMatchObject({ version: 1, snapshot: { context: { note: 'a1' } } });
  });

  it('a write the database refuses is left out alone, and every other station of its batch is written', async () => {
    const serials = await Promise.all(Array.from({ length: 9 }, () => serial()));
    const poisoned = serials[4]!;
    const batch = serials.map((sn) => aWrite(sn, 1, sn));
    // Postgres cannot store \u0000 in jsonb: the whole batch's statement fails on this one station.
    batch[4] = { ...batch[4]!, station: { ...batch[4]!.station, firmware: 'bad\u0000' } };

    const outcome = await store.write(batch);
    expect(outcome.stale).toEqual(new Set());
    expect([...outcome.refused.keys()]).toEqual([poisoned]);
    expect(outcome.refused.get(poisoned)).toBeInstanceOf(RefusedWriteError);
    for (const sn of serials.filter((sn) => sn !== poisoned)) {
      expect(await stored(sn)).toMatchObject({ version: 1 });
      expect(await commands(sn)).toEqual([`cmd-${sn}-1`]);
    }
    expect(await stored(poisoned)).toBeUndefined();
    expect(await commands(poisoned)).toEqual([]);
  });

  it('a failure that is not the data (the connection) fails the whole batch, to be retried', async () => {
    const [a, b] = [await serial(), await serial()];
    const broken = openSqlPool(db.url.replace(/\/[^/]*$/, '/no_such_database'), 1);
    try {
      await expect(
        new StationStore(broken).write([aWrite(a, 1, 'a1'), aWrite(b, 1, 'b1')]),
      ).rejects.toThrow();
    } finally {
      await broken.close();
    }
  });
});
