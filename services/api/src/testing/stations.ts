import { expect } from 'vitest';
import {
  type CoreHarness,
  EJECT_TIMEOUT_MS,
  startCoreHarness,
} from '../../../station-core/src/testing/core-harness.ts';
import { setAppConfig } from './auth-helpers.ts';
import { createTestApi, type TestApi } from './test-app.ts';

const poll = { timeout: 10_000, interval: 100 };

/**
 * A simulated station online with its slot rows written, holding a power bank per entry of
 * `banks` (those at 20 % or more count as ready), served by the harness's station-core.
 */
export async function aStation(h: CoreHarness, banks: { slot: number; battery: number }[], extra = {}) {
  const sn = h.newSerial();
  const powerBanks = banks.map((b) => ({ ...b, serial: `${sn}-PB${b.slot}` }));
  const sim = await h.simulator({ stations: [{ sn, slotCount: 4, powerBanks }], ejectDelayMs: 30, ...extra });
  await expect.poll(async () => (await h.station(sn))?.status, poll).toBe('online');
  // Online comes with the hello; the slot rows follow in the same batch or the next one.
  const ready = banks.filter((b) => b.battery >= 20).length;
  await expect
    .poll(async () => (await h.slots(sn)).filter((s) => s.status === 'ready').length, poll)
    .toBe(ready);
  return { sn, sim, serials: powerBanks.map((b) => b.serial) };
}

/**
 * The station side (station-core, the bridge, simulators: the core harness) with an api over its
 * database and NATS prefix, which waits for an eject's answer longer than station-core waits for
 * the station; OTP send limits no test reaches.
 */
export async function startRentalHarness(): Promise<{ h: CoreHarness; api: TestApi }> {
  const h = await startCoreHarness();
  const api = await createTestApi({
    databaseUrl: h.db.db.url,
    env: { NATS_PREFIX: h.prefix, RENTAL_DISPENSE_TIMEOUT_MS: String(EJECT_TIMEOUT_MS + 3000) },
  });
  await setAppConfig(api, { otp_sends_per_ip_hour: 100_000 });
  return { h, api };
}
