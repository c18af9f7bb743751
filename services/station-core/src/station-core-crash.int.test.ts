import type { ChildProcess } from 'node:child_process';
import { freePort, spawnService, stopService } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoreHarness, startCoreHarness } from './testing/core-harness.ts';

/** station-core as its own process, so the test can kill it with SIGKILL like a power cut. */
async function spawnCore(h: CoreHarness): Promise<ChildProcess> {
  return spawnService('services/station-core/src/main.ts', {
    DATABASE_URL: h.db.db.url,
    NATS_PREFIX: h.prefix,
    CORE_METRICS_PORT: String(await freePort()),
    EJECT_TIMEOUT_MS: '20000',
    LOG_LEVEL: 'warn',
    DB_POOL_MIN: '0',
    DB_POOL_MAX: '5',
  });
}

describe('station-core killed between eject and result', () => {
  let h: CoreHarness;
  beforeAll(async () => {
    h = await startCoreHarness({}, { inProcessCore: false });
  });
  afterAll(() => h.close());

  it('after a restart the outcome is recorded exactly once', async () => {
    let core = await spawnCore(h);
    const sn = h.newSerial('K');
    const serial = `${sn}-PB1`;
    const sim = await h.simulator({
      stations: [{ sn, slotCount: 2, powerBanks: [{ slot: 1, serial, battery: 90 }] }],
      ejectDelayMs: 2500,
      heartbeatIntervalMs: 60_000,
    });
    await expect
      .poll(async () => (await h.station(sn))?.status, { timeout: 30_000, interval: 200 })
      .toBe('online');

    const results: { commandId: string; ok: boolean }[] = [];
    const sub = h.nats.subscribe(`${h.prefix}.core.evt.dispense`, {
      callback: (_e, m) => {
        results.push(m.json());
      },
    });
    const commandId = crypto.randomUUID();
    const rentalId = crypto.randomUUID();
    // The requester gives up when core dies; the rental learns the outcome from the dispense event.
    void h.dispense(sn, commandId, rentalId).catch(() => undefined);

    await expect
      .poll(
        async () =>
          (await h.sql<{ status: string }>('select status from station_command where id = ?', [commandId]))[0]
            ?.status,
        {
          timeout: 10_000,
          interval: 50,
        },
      )
      .toBe('sent');
    await stopService(core, 'SIGKILL');

    // The station finishes the eject while core is dead; its result waits in JetStream.
    await expect
      .poll(() => sim.station(sn).slots[0]?.powerBank, { timeout: 10_000, interval: 100 })
      .toBeUndefined();
    await expect.poll(() => h.storedEvents(sn, 'eject-result'), { timeout: 10_000, interval: 100 }).toBe(1);

    core = await spawnCore(h);
    try {
      await expect
        .poll(
          async () =>
            (
              await h.sql<{ status: string }>('select status from station_command where id = ?', [commandId])
            )[0]?.status,
          {
            timeout: 30_000,
            interval: 200,
          },
        )
        .toBe('succeeded');
      expect(await h.powerBank(serial)).toMatchObject({ status: 'rented', current_rental_id: rentalId });
      expect((await h.slots(sn))[0]).toMatchObject({ status: 'empty', serial: null });
      await expect
        .poll(() => results.filter((r) => r.commandId === commandId).length, { timeout: 5000 })
        .toBe(1);
      expect(results.find((r) => r.commandId === commandId)?.ok).toBe(true);
      // The outbox delivers commands at least once: a command sent just before the kill but not yet
      // marked sent goes out again after the restart, with the same command id, which the station
      // answers from memory without ejecting again: what must hold is the slot and power bank state.
      expect(sim.counters.commandsReceived.eject).toBeGreaterThanOrEqual(1);
      // Nothing more arrives later: exactly once. The marker: a later dispense at this station (its
      // only power bank is out, so it is refused at once) is answered by the station's actor after
      // everything queued before it, and over the same connection as any outcome published before.
      expect(await h.dispense(sn)).toMatchObject({ ok: false, reason: 'no_power_bank' });
      expect(results.filter((r) => r.commandId === commandId)).toHaveLength(1);
    } finally {
      sub.unsubscribe();
      await stopService(core);
    }
  }, 90_000);
});
