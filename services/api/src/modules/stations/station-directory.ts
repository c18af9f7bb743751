import type { STATION_STATUSES } from '@powerbank/db';
import { StationGeoIndex } from './station-geo-index.ts';
import type { NearbyStation } from './stations.schemas.ts';

/** What the directory keeps of one station: enough to answer nearby without the database. */
export interface DirectoryStation {
  id: string;
  sn: string;
  name: string;
  address: string;
  city: string | null;
  latitude: number;
  longitude: number;
  status: (typeof STATION_STATUSES)[number];
  slotCount: number;
  lastHeartbeatAt: Date | null;
  /** Public and not decommissioned: shown to the app at all. */
  listed: boolean;
  /**
   * Battery levels of the ready power banks. Kept rather than a count so a
   * change of the rental minimum (AppConfig) needs no reload.
   */
  readyBatteries: number[];
  freeSlots: number;
  imageUrl: string | null;
  amenityCodes: string[];
}

export interface NearbyQuery {
  lat: number;
  lng: number;
  radiusM: number;
  minBattery: number;
  /** Only stations that can rent now: online with an available power bank. */
  availableOnly?: boolean;
}

/**
 * The api's in-memory copy of every station, for the nearby search: a map by
 * id plus a KD-tree of the listed ones' positions, rebuilt only when a position
 * or the listing changes (status and slot changes, the frequent ones, leave it).
 * Pure: loading and refreshing are `station-directory.source.ts`.
 */
export class StationDirectory {
  readonly #stations = new Map<string, DirectoryStation>();
  #index: StationGeoIndex | undefined;

  constructor(stations: Iterable<DirectoryStation> = []) {
    for (const station of stations) this.#stations.set(station.id, station);
  }

  get size(): number {
    return this.#stations.size;
  }

  get(id: string): DirectoryStation | undefined {
    return this.#stations.get(id);
  }

  /** Replaces these stations' entries (fresh rows read after a change). */
  apply(stations: Iterable<DirectoryStation>): void {
    for (const station of stations) {
      const before = this.#stations.get(station.id);
      this.#stations.set(station.id, station);
      const moved =
        !before ||
        before.listed !== station.listed ||
        before.latitude !== station.latitude ||
        before.longitude !== station.longitude;
      if (moved && (station.listed || before?.listed)) this.#index = undefined;
    }
  }

  /**
   * One page of the listed stations within the radius, nearest first, as the app
   * shows them, and how many there are in all. Summaries are built for the page only.
   */
  nearby(query: NearbyQuery, offset: number, limit: number): { results: NearbyStation[]; total: number } {
    const results: NearbyStation[] = [];
    let total = 0;
    for (const hit of this.#geoIndex().within(query.lat, query.lng, query.radiusM)) {
      const station = this.#stations.get(hit.id);
      if (!station?.listed) continue;
      if (query.availableOnly && !canRentNow(station, query.minBattery)) continue;
      if (total >= offset && results.length < limit) {
        results.push({ ...summaryOf(station, query.minBattery), distanceM: Math.round(hit.distanceM) });
      }
      total++;
    }
    return { results, total };
  }

  #geoIndex(): StationGeoIndex {
    this.#index ??= new StationGeoIndex(
      [...this.#stations.values()]
        .filter((s) => s.listed)
        .map((s) => ({ id: s.id, lat: s.latitude, lng: s.longitude })),
    );
    return this.#index;
  }
}

function availableOf(station: DirectoryStation, minBattery: number): number {
  let available = 0;
  for (const level of station.readyBatteries) if (level >= minBattery) available++;
  return available;
}

const canRentNow = (station: DirectoryStation, minBattery: number) =>
  station.status === 'online' && station.readyBatteries.some((level) => level >= minBattery);

function summaryOf(station: DirectoryStation, minBattery: number) {
  return {
    sn: station.sn,
    name: station.name,
    address: station.address,
    city: station.city,
    latitude: station.latitude,
    longitude: station.longitude,
    status: station.status,
    slotCount: station.slotCount,
    availablePowerBanks: availableOf(station, minBattery),
    freeSlots: station.freeSlots,
    imageUrl: station.imageUrl,
    amenityCodes: station.amenityCodes,
    lastHeartbeatAt: station.lastHeartbeatAt,
  };
}
