import { expect } from 'vitest';
import type { CoreHarness } from '../../../station-core/src/testing/core-harness.ts';

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
