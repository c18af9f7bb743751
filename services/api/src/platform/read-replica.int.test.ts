import { READ_REPLICA, Station, sqlRows } from '@powerbank/db';
import { canMakePgReplica, type PgReplica, startPgReplica } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aStation } from '../modules/stations/station.builders.ts';
import { bearer, signUp } from '../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';

const noTools = !canMakePgReplica();
if (noTools) console.warn('read-replica.int.test: skipped, no pg_basebackup (apt-get install postgresql)');

const inRecovery = async (api: TestApi, connection: 'read' | 'write') => {
  const [row] = await sqlRows<{ standby: boolean }>(
    api.deps.orm.em.fork(),
    'select pg_is_in_recovery() as standby',
    [],
    connection,
  );
  return row?.standby;
};

/**
 * DATABASE_READ_URL at a real streaming replica (`startPgReplica`: pg_basebackup, as
 * `PG_REPLICA=1 infra/services` makes the dev stack's). The replica's replay is paused to tell the
 * two servers apart: a row written then is on the primary only, so a read that does not see it was
 * served by the replica, and a write path that finds it ran on the primary.
 */
describe.skipIf(noTools)('the read replica (real streaming replica of the test Postgres)', () => {
  let replica: PgReplica;
  let api: TestApi;
  let withoutReplica: TestApi;

  beforeAll(async () => {
    replica = await startPgReplica();
    api = await createTestApi({ pool: { readReplicaUrl: replica.url } });
    withoutReplica = await createTestApi();
  }, 180_000);

  afterAll(async () => {
    try {
      await replica?.resume().catch(() => undefined);
      await api?.close();
      await withoutReplica?.close();
    } finally {
      // A replica is a server of its own (pg_ctl): it outlives the test's process unless stopped.
      await replica?.dispose();
    }
  });

  it('the read connection is the replica and the default one the primary; unset, both are the primary', async () => {
    expect(await inRecovery(api, READ_REPLICA)).toBe(true);
    expect(await inRecovery(api, 'write')).toBe(false);
    // MikroORM would send finds outside a transaction to a replica by default: here only READ_REPLICA goes.
    expect(api.deps.orm.config.get('preferReadReplicas')).toBe(false);
    expect(await inRecovery(withoutReplica, READ_REPLICA)).toBe(false);
  });

  it('station discovery reads from the replica, a write path (favorite) from the primary', async () => {
    const em = api.deps.orm.em.fork();
    const seen = aStation(em, { name: 'Replica Seen' });
    await em.flush();
    // Replicated (asynchronously): the read path finds it once the replica has replayed it.
    await expect
      .poll(async () => (await api.rest('GET', `/api/app/stations/${seen.serialNumber}`)).status, {
        timeout: 20_000,
      })
      .toBe(200);
    const user = await signUp(api);

    await replica.pause();
    try {
      const fresh = aStation(em, { name: 'Replica Fresh' });
      await em.flush();
      // Served by the paused replica: the new station is not in the list yet…
      const list = await api.rest('GET', '/api/app/stations?search=Replica');
      expect(list.status).toBe(200);
      expect(list.body.data.results.map((s: { sn: string }) => s.sn)).toEqual([seen.serialNumber]);
      // …its page is: kept per station-directory entry, it is read from the primary as the directory is.
      await expect
        .poll(async () => (await api.rest('GET', `/api/app/stations/${fresh.serialNumber}`)).status)
        .toBe(200);
      // …while a write path finds it (it reads and writes on the primary) and the primary has it.
      const favorite = await api.rest(
        'POST',
        `/api/stations/${fresh.serialNumber}/favorite`,
        {},
        bearer(user.token),
      );
      expect(favorite.status).toBeLessThan(300);
      expect(await api.deps.orm.em.fork().count(Station, { serialNumber: fresh.serialNumber })).toBe(1);

      await replica.resume();
      await expect
        .poll(
          async () =>
            (await api.rest('GET', '/api/app/stations?search=Replica')).body.data.results.map(
              (s: { sn: string }) => s.sn,
            ),
          { timeout: 20_000 },
        )
        .toContain(fresh.serialNumber);
    } finally {
      await replica.resume();
    }
  }, 60_000);

  it('without DATABASE_READ_URL the same reads are served by the primary', async () => {
    const em = withoutReplica.deps.orm.em.fork();
    const station = aStation(em, { name: 'Primary Only' });
    await em.flush();
    expect((await withoutReplica.rest('GET', `/api/app/stations/${station.serialNumber}`)).status).toBe(200);
  });
});
