import type { StationSeed } from './simulated-station.ts';

/**
 * `count` stations named `{prefix}{n}` (zero-padded), each slot filled with
 * probability `fill` by a power bank `{sn}-PB{slot}` at a random charge.
 */
export function demoStations(
  count: number,
  { prefix = 'SIM', slots = 8, fill = 0.75, random = Math.random } = {},
): StationSeed[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => {
    const sn = `${prefix}${String(i + 1).padStart(width, '0')}`;
    const powerBanks = Array.from({ length: slots }, (_, s) => s + 1)
      .filter(() => random() < fill)
      .map((slot) => ({ slot, serial: `${sn}-PB${slot}`, battery: Math.floor(random() * 101) }));
    return { sn, slotCount: slots, powerBanks };
  });
}
