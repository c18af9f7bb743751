import { openSqlPool, type SqlPool } from '@powerbank/db';
import { createTestDatabase, newTestResourceName, type TestDatabase } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StationStore, type StationWrite } from './station-store.ts';

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

const serial = () => `ST${newTestResourceName().slice(-10)}`;

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
    const [a, b] = [serial(), serial()];
    expect(await store.write([aWrite(a, 1, 'a1'), aWrite(b, 1, 'b1'), aWrite(a, 2, 'a2')])).toEqual(
      new Set(),
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
    const [a, b] = [serial(), serial()];
    await store.write([aWrite(a, 1, 'a1'), aWrite(b, 1, 'b1')]);
    // Another instance's actor wrote b's next state first.
    await sql.query(
      `update station_actor_state set version = 2, snapshot = '{"context":{"note":"theirs"}}' where serial_number = $1`,
      [b],
    );

    expect(await store.write([aWrite(a, 2, 'a2'), aWrite(b, 2, 'b2')])).toEqual(new Set([b]));
    expect(await stored(a)).toMatchObject({ version: 2, snapshot: { context: { note: 'a2' } } });
    expect(await stored(b)).toMatchObject({ version: 2, snapshot: { context: { note: 'theirs' } } });
    // Nothing of b's stale transition was written, its command included.
    expect(await commands(b)).toEqual([`cmd-${b}-1`]);
    expect(await commands(a)).toEqual([`cmd-${a}-1`, `cmd-${a}-2`]);
  });

  it('a first snapshot of a station that already has one is stale too, and changes nothing', async () => {
    const a = serial();
    await store.write([aWrite(a, 1, 'a1')]);
    expect(await store.write([aWrite(a, 1, 'again')])).toEqual(new Set([a]));
    expect(await stored(a)).toMatchObject({ version: 1, snapshot: { context: { note: 'a1' } } });
  });
});
