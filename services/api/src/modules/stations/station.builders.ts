import type { EntityManager } from '@mikro-orm/postgresql';
import {
  PowerBank,
  type SLOT_STATUSES,
  type STATION_STATUSES,
  Station,
  type StationAmenity,
  StationAmenityMapping,
  StationMedia,
  StationSlot,
} from '@powerbank/db';

type SlotSpec = { status: (typeof SLOT_STATUSES)[number]; battery?: number };

let counter = 0;

/**
 * A station (not flushed) with its slots: a slot with a `battery` holds a power
 * bank charged that much; the others are as their status says, without one.
 */
export function aStation(
  em: EntityManager,
  spec: {
    sn?: string;
    name?: string;
    city?: string | null;
    lat?: number;
    lng?: number;
    status?: (typeof STATION_STATUSES)[number];
    isPublic?: boolean;
    slots?: SlotSpec[];
    imageUrl?: string;
    amenities?: StationAmenity[];
  } = {},
): Station {
  counter += 1;
  const sn = spec.sn ?? `TST-${Date.now().toString(36)}-${counter}`;
  const slots = spec.slots ?? [{ status: 'ready', battery: 90 }, { status: 'empty' }];
  const station = em.create(Station, {
    serialNumber: sn,
    name: spec.name ?? `Station ${sn}`,
    address: `${counter} Test Street`,
    city: spec.city === undefined ? 'Testville' : spec.city,
    latitude: spec.lat ?? 27.7,
    longitude: spec.lng ?? 85.3,
    status: spec.status ?? 'online',
    slotCount: slots.length,
    isPublic: spec.isPublic ?? true,
    lastHeartbeatAt: new Date('2026-11-20T10:00:00Z'),
  });
  slots.forEach((slot, i) => {
    const powerBank =
      slot.battery === undefined
        ? null
        : em.create(PowerBank, {
            serialNumber: `${sn}-PB${i + 1}`,
            batteryLevel: slot.battery,
            currentStation: station,
            currentSlotIndex: i + 1,
          });
    em.create(StationSlot, {
      station,
      slotIndex: i + 1,
      status: slot.status,
      powerBank,
      batteryLevel: slot.battery ?? null,
    });
  });
  if (spec.imageUrl) em.create(StationMedia, { station, url: spec.imageUrl, isPrimary: true });
  for (const amenity of spec.amenities ?? []) em.create(StationAmenityMapping, { station, amenity });
  return station;
}

/** `meters` north of `lat`, on earthdistance's sphere (radius 6 378 168 m, what `earth()` returns). */
export const northOf = (lat: number, meters: number) => lat + (meters / 6_378_168) * (180 / Math.PI);
