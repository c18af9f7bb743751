import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import {
  PowerBank,
  Station,
  StationAmenity,
  StationAmenityMapping,
  StationMedia,
  StationSlot,
} from '../entities/index.ts';
import {
  AMENITIES,
  DEMO_CITY,
  DEMO_POWER_BANK_PREFIX,
  DEMO_STATION_PREFIX,
  planDemoNetwork,
} from './support/demo-network.ts';
import { mustGet, seedMissing } from './support/seed-missing.ts';
import { occupiedSlotStatus } from './support/slot-state.ts';

/**
 * Amenity types and the 50 demo stations with their slots and power banks.
 * Rows already present are left alone: once station-core runs, slots and power
 * banks are live state, and a re-seed must not put a rented power bank back.
 */
export class StationsSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    const plan = planDemoNetwork();

    const amenities = await seedMissing(
      em,
      StationAmenity,
      AMENITIES.map((a) => ({ key: a.code, data: { ...a } })),
      (a) => a.code,
    );
    const stations = await seedMissing(
      em,
      Station,
      plan.map(({ slots, amenityCodes, imageUrl, ...station }) => ({
        key: station.serialNumber,
        data: { ...station, city: DEMO_CITY.name, slotCount: slots.length, openingHours: '07:00-23:00' },
      })),
      (s) => s.serialNumber,
      { serialNumber: { $like: `${DEMO_STATION_PREFIX}%` } },
    );
    const powerBanks = await seedMissing(
      em,
      PowerBank,
      plan.flatMap((station) =>
        station.slots.flatMap(({ slotIndex, powerBank }) =>
          powerBank
            ? [
                {
                  key: powerBank.serialNumber,
                  data: {
                    ...powerBank,
                    status: 'in_slot' as const,
                    currentStation: mustGet(stations, station.serialNumber),
                    currentSlotIndex: slotIndex,
                  },
                },
              ]
            : [],
        ),
      ),
      (pb) => pb.serialNumber,
      { serialNumber: { $like: `${DEMO_POWER_BANK_PREFIX}%` } },
    );
    await em.flush();

    await seedMissing(
      em,
      StationSlot,
      plan.flatMap((station) =>
        station.slots.map(({ slotIndex, powerBank }) => ({
          key: `${station.serialNumber}:${slotIndex}`,
          data: {
            station: mustGet(stations, station.serialNumber),
            slotIndex,
            ...(powerBank
              ? {
                  status: occupiedSlotStatus(powerBank.batteryLevel),
                  powerBank: mustGet(powerBanks, powerBank.serialNumber),
                  batteryLevel: powerBank.batteryLevel,
                }
              : { status: 'empty' as const, powerBank: null, batteryLevel: null }),
          },
        })),
      ),
      (slot) => `${slot.station.serialNumber}:${slot.slotIndex}`,
      { station: { serialNumber: { $like: `${DEMO_STATION_PREFIX}%` } } },
    );
    await seedMissing(
      em,
      StationAmenityMapping,
      plan.flatMap((station) =>
        station.amenityCodes.map((code) => ({
          key: `${station.serialNumber}:${code}`,
          data: { station: mustGet(stations, station.serialNumber), amenity: mustGet(amenities, code) },
        })),
      ),
      (m) => `${m.station.serialNumber}:${m.amenity.code}`,
      { station: { serialNumber: { $like: `${DEMO_STATION_PREFIX}%` } } },
    );
    await seedMissing(
      em,
      StationMedia,
      plan.flatMap((station) =>
        station.imageUrl
          ? [
              {
                key: station.imageUrl,
                data: {
                  station: mustGet(stations, station.serialNumber),
                  type: 'image' as const,
                  url: station.imageUrl,
                  isPrimary: true,
                },
              },
            ]
          : [],
      ),
      (m) => m.url,
      { station: { serialNumber: { $like: `${DEMO_STATION_PREFIX}%` } } },
    );
    await em.flush();
  }
}
