import type { ChildProcess } from 'node:child_process';
import { dispenseResponse } from '@powerbank/protocol';
import { applyDispenseOutcome, runRentalTimers } from '@powerbank/rentals';
import { freePort, spawnService, stopService } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoreHarness, startCoreHarness } from '../../../../station-core/src/testing/core-harness.ts';
import { bearer } from '../../testing/auth-helpers.ts';
import { aCrowd } from '../../testing/crowd.ts';
import { aRentalPackage } from '../../testing/rental-packages.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

const EJECT_DELAY_MS = 2500;
let h: CoreHarness;
let api: TestApi;
let prepaid: number;

/** station-core as its own process, so the test can kill it with SIGKILL like a power cut. */
async function spawnCore(): Promise<ChildProcess> {
  return spawnService('services/station-core/src/main.ts', {
    DATABASE_URL: h.db.db.url,
    NATS_PREFIX: h.prefix,
    CORE_METRICS_PORT: String(await freePort()),
    EJECT_TIMEOUT_MS: '20000',
    RENTAL_JOBS_INTERVAL_MS: '500',
    LOG_LEVEL: 'warn',
    DB_POOL_MIN: '0',
    DB_POOL_MAX: '5',
  });
}

beforeAll(async () => {
  h = await startCoreHarness({}, { inProcessCore: false });
  // The api gives up on the dispense answer before core is back: the rental is left to the runner.
  api = await createTestApi({
    databaseUrl: h.db.db.url,
    env: { NATS_PREFIX: h.prefix, RENTAL_DISPENSE_TIMEOUT_MS: '3000' },
  });
  const em = api.deps.orm.em.fork();
  const pkg = aRentalPackage(em, 'hour');
  await em.flush();
  prepaid = pkg.id;
}, 60_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

async function ledgerOf(userId: string) {
  const [row] = await h.sql<{
    wallet: string;
    points: number;
    wallet_rows: string;
    points_rows: string;
    charges: string;
  }>(
    `select w.balance as wallet, p.balance as points,
            (select count(*) from wallet_transaction t where t.user_id = w.user_id) as wallet_rows,
            (select count(*) from points_transaction t where t.user_id = w.user_id) as points_rows,
            (select count(*) from wallet_transaction t where t.user_id = w.user_id and t.amount < 0) +
            (select count(*) from points_transaction t where t.user_id = w.user_id and t.points < 0) as charges
       from wallet w join user_points p on p.user_id = w.user_id where w.user_id = ?`,
    [userId],
  );
  return {
    wallet: Number(row?.wallet),
    points: Number(row?.points),
    walletRows: Number(row?.wallet_rows),
    pointsRows: Number(row?.points_rows),
    charges: Number(row?.charges),
  };
}

describe('station-core killed with SIGKILL after the eject command, before the result, during POST /api/rentals/start', () => {
  it.each([
    {
      name: 'eject succeeds while core is dead → active, charged once',
      ejectFailureRate: 0,
      final: 'active',
      // 50 points (= 500) and 300 from the wallet pay the 800; topup + charge, points grant + payment.
      ledger: { wallet: 9700, points: 0, walletRows: 2, pointsRows: 2, charges: 2 },
    },
    {
      name: 'eject fails while core is dead → failed, refunded the way it came, once',
      ejectFailureRate: 1,
      final: 'failed',
      // Charge and refund, each in wallet and points: balances as before.
      ledger: { wallet: 10_000, points: 50, walletRows: 3, pointsRows: 3, charges: 2 },
    },
  ])(
    '$name',
    async ({ ejectFailureRate, final, ledger }) => {
      let core = await spawnCore();
      try {
        const sn = h.newSerial('K');
        const serial = `${sn}-PB1`;
        const sim = await h.simulator({
          stations: [{ sn, slotCount: 2, powerBanks: [{ slot: 1, serial, battery: 90 }] }],
          ejectDelayMs: EJECT_DELAY_MS,
          ejectFailureRate,
          heartbeatIntervalMs: 60_000,
        });
        await expect
          .poll(async () => (await h.station(sn))?.status, { timeout: 30_000, interval: 200 })
          .toBe('online');
        await expect
          .poll(async () => (await h.slots(sn))[0]?.status, { timeout: 10_000, interval: 100 })
          .toBe('ready');

        const crowd = aCrowd(1, { wallet: 10_000, points: 50 });
        await api.deps.orm.em.fork().transactional(async (tem) => {
          for (const statement of crowd.statements) await tem.execute(statement);
        });
        const user = crowd.users[0]!;
        const before = await ledgerOf(user.userId);
        expect(before).toMatchObject({ wallet: 10_000, points: 50, walletRows: 1, pointsRows: 1 });

        const started = api.rest(
          'POST',
          '/api/rentals/start',
          {
            station_sn: sn,
            package_id: prepaid,
            payment_mode: 'wallet_points',
            idempotency_key: `k-${crypto.randomUUID()}`,
          },
          bearer(user.token),
        );
        // The station has the eject command and is working on it: kill core now, before the result.
        await expect
          .poll(() => sim.counters.commandsReceived.eject, { timeout: 30_000, interval: 20 })
          .toBe(1);
        await stopService(core, 'SIGKILL');

        // The api's wait for the answer ends without one: the rental is left pending for the runner.
        const res = await started;
        expect(res.status).toBe(200);
        const rentalId: string = res.body.data.id;
        expect(res.body.data.status).toBe('pending');
        // Paid once, at start, before the eject.
        expect(await ledgerOf(user.userId)).toMatchObject({ walletRows: 2, pointsRows: 2 });

        // The station finishes (or fails) the eject while core is dead; its result waits in JetStream.
        if (ejectFailureRate === 0) {
          await expect
            .poll(() => sim.station(sn).slots[0]?.powerBank, { timeout: 10_000, interval: 100 })
            .toBeUndefined();
        }
        await expect
          .poll(() => h.storedEvents(sn, 'eject-result'), { timeout: EJECT_DELAY_MS + 10_000, interval: 100 })
          .toBe(1);

        core = await spawnCore();
        const rentalStatus = async () =>
          (await h.sql<{ status: string }>('select status from rental where id = ?', [rentalId]))[0]?.status;
        await expect.poll(rentalStatus, { timeout: 30_000, interval: 200 }).toBe(final);
        // Never stuck, never charged twice: another jobs round and a re-delivery of the outcome, run
        // here to their end rather than waited for, then count again. The re-delivery is the jobs'
        // ask-again: core answers the rental's command id from memory, and the answer is applied.
        const [rental] = await h.sql<{ dispense_command_id: string }>(
          'select dispense_command_id from rental where id = ?',
          [rentalId],
        );
        const again = dispenseResponse.parse(await h.dispense(sn, rental!.dispense_command_id, rentalId));
        expect(again.ok).toBe(final === 'active');
        const em = api.deps.orm.em.fork();
        expect((await applyDispenseOutcome(em, rentalId, again)).applied).toBe(false);
        await runRentalTimers(em.fork(), new Date());
        expect(await rentalStatus()).toBe(final);
        expect(await ledgerOf(user.userId)).toEqual(ledger);
        // The outbox delivers commands at least once: a command sent just before the kill but not yet
        // marked sent goes out again after the restart, with the same command id, which the station
        // answers from memory without ejecting again: what must hold is the slot and power bank state.
        expect(sim.counters.commandsReceived.eject).toBeGreaterThanOrEqual(1);
        if (final === 'active') {
          expect(await h.powerBank(serial)).toMatchObject({ status: 'rented', current_rental_id: rentalId });
        } else {
          expect((await h.slots(sn))[0]).toMatchObject({ status: 'ready', serial });
        }
        const view = await api.rest('GET', '/api/rentals/history', undefined, bearer(user.token));
        expect(view.body.data.results[0]).toMatchObject({ id: rentalId, status: final });
      } finally {
        await stopService(core, 'SIGTERM');
      }
    },
    120_000,
  );
});
