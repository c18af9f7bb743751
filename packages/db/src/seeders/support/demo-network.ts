import { createPrng } from './prng.ts';

/** Where the demo stations are: around San Francisco's Civic Center. */
export const DEMO_CITY = {
  name: 'San Francisco',
  latitude: 37.7793,
  longitude: -122.4193,
  radiusKm: 5,
} as const;
export const DEMO_STATION_COUNT = 50;
export const DEMO_STATION_PREFIX = 'PB-DEMO-';
export const DEMO_POWER_BANK_PREFIX = 'BANK-DEMO-';

export interface PlannedSlot {
  slotIndex: number;
  /** Absent: the slot is empty. */
  powerBank?: { serialNumber: string; batteryLevel: number };
}

export interface PlannedStation {
  serialNumber: string;
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  status: 'online' | 'offline' | 'maintenance';
  slots: PlannedSlot[];
  amenityCodes: string[];
  imageUrl?: string;
}

export const AMENITIES = [
  { code: 'wifi', name: 'Free Wi-Fi', icon: 'wifi' },
  { code: 'seating', name: 'Seating', icon: 'chair' },
  { code: 'open_24h', name: 'Open 24 hours', icon: 'clock' },
  { code: 'wheelchair', name: 'Wheelchair accessible', icon: 'accessible' },
  { code: 'parking', name: 'Parking', icon: 'parking' },
  { code: 'restroom', name: 'Restroom', icon: 'restroom' },
  { code: 'cafe', name: 'Café', icon: 'coffee' },
] as const;

const VENUES = [
  'Café',
  'Mall',
  'Transit Hub',
  'Library',
  'Gym',
  'Hotel',
  'Market',
  'Cinema',
  'Co-working',
  'Pharmacy',
];
const STREETS = [
  'Market St',
  'Mission St',
  'Valencia St',
  'Geary Blvd',
  'Van Ness Ave',
  'Castro St',
  'Hayes St',
  'Polk St',
  'Folsom St',
  'Divisadero St',
  'Irving St',
  'Columbus Ave',
];
const KM_PER_DEGREE = 111.32;

/**
 * The demo station network, computed from a fixed seed: the same 50 stations,
 * slots, power banks and battery levels on every run and every machine.
 * Stations lie uniformly on a disc of `radiusKm` around the city centre.
 */
export function planDemoNetwork(): PlannedStation[] {
  const rnd = createPrng(20261124);
  const stations: PlannedStation[] = [];
  for (let n = 1; n <= DEMO_STATION_COUNT; n += 1) {
    const number = String(n).padStart(4, '0');
    const distanceKm = DEMO_CITY.radiusKm * Math.sqrt(rnd.next());
    const bearing = rnd.next() * 2 * Math.PI;
    const latitude = DEMO_CITY.latitude + (distanceKm * Math.cos(bearing)) / KM_PER_DEGREE;
    const longitude =
      DEMO_CITY.longitude +
      (distanceKm * Math.sin(bearing)) / (KM_PER_DEGREE * Math.cos((DEMO_CITY.latitude * Math.PI) / 180));
    const street = rnd.pick(STREETS);
    const slotCount = rnd.int(8, 12);
    const slots: PlannedSlot[] = [];
    // Slot numbers are 1-based, as in the station protocol.
    for (let slotIndex = 1; slotIndex <= slotCount; slotIndex += 1) {
      const occupied = rnd.chance(0.75);
      const batteryLevel = rnd.int(5, 100);
      slots.push(
        occupied
          ? {
              slotIndex,
              powerBank: {
                serialNumber: `${DEMO_POWER_BANK_PREFIX}${number}-${String(slotIndex).padStart(2, '0')}`,
                batteryLevel,
              },
            }
          : { slotIndex },
      );
    }
    stations.push({
      serialNumber: `${DEMO_STATION_PREFIX}${number}`,
      name: `${rnd.pick(VENUES)} ${street}`,
      address: `${rnd.int(1, 2999)} ${street}, ${DEMO_CITY.name}, CA`,
      latitude: round6(latitude),
      longitude: round6(longitude),
      // A few stations are not rentable, so the app's offline/maintenance states can be seen.
      status: n % 25 === 7 ? 'maintenance' : n % 25 === 13 ? 'offline' : 'online',
      slots,
      amenityCodes: AMENITIES.filter(() => rnd.chance(0.35)).map((a) => a.code),
      ...(n % 3 === 1 ? { imageUrl: `https://cdn.example.com/stations/${number}.jpg` } : {}),
    });
  }
  return stations;
}

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
