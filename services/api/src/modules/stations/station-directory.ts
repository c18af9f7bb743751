import { compareIds, distanceOfKey, StationGeoIndex } from './station-geo-index.ts';
import type { StationFields } from './station-queries.ts';
import type { NearbyStation } from './stations.schemas.ts';

/** What the directory keeps of one station: enough to answer nearby without the database. */
export interface DirectoryStation extends StationFields {
  id: string;
  /** Public and not decommissioned: shown to the app at all. */
  listed: boolean;
  /**
   * Battery levels of the ready power banks. Kept rather than a count so a
   * change of the rental minimum (AppConfig) needs no reload.
   */
  readyBatteries: number[];
  freeSlots: number;
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
  /** Entries by slot; a station keeps its slot for the directory's life, so the geo index can point at it. */
  readonly #entries: DirectoryStation[] = [];
  readonly #slotOf = new Map<string, number>();
  /** Slots by serial number, for one station's page (`bySn`). */
  readonly #slotOfSn = new Map<string, number>();
  #geo: { index: StationGeoIndex; slots: Int32Array } | undefined;

  constructor(stations: Iterable<DirectoryStation> = []) {
    for (const station of stations) this.#put(station);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Every station, listed or not (readers that walk them all: the GBFS feed). */
  all(): readonly DirectoryStation[] {
    return this.#entries;
  }

  get(id: string): DirectoryStation | undefined {
    const slot = this.#slotOf.get(id);
    return slot === undefined ? undefined : this.#entries[slot];
  }

  /** The station with this serial number, listed or not. */
  bySn(sn: string): DirectoryStation | undefined {
    const slot = this.#slotOfSn.get(sn);
    return slot === undefined ? undefined : this.#entries[slot];
  }

  /** Replaces these stations' entries (fresh rows read after a change). */
  apply(stations: Iterable<DirectoryStation>): void {
    for (const station of stations) {
      const before = this.#put(station);
      const moved =
        !before ||
        before.listed !== station.listed ||
        before.latitude !== station.latitude ||
        before.longitude !== station.longitude;
      if (moved && (station.listed || before?.listed)) this.#geo = undefined;
    }
  }

  /**
   * One page of the listed stations within the radius, nearest first, as the app
   * shows them, and how many there are in all. Summaries are built for the page only.
   */
  nearby(query: NearbyQuery, offset: number, limit: number): { results: NearbyStation[]; total: number } {
    const geo = this.#geoIndex();
    const nearest = new NearestFirst(offset + limit);
    let total = 0;
    const stationAt = (position: number) => this.#entries[geo.slots[position] as number] as DirectoryStation;
    // The index holds listed stations only (it is rebuilt when a listing changes), so a hit
    // is read only to filter by availability or when it may make the page: most hits are
    // counted without touching the station's object at all.
    geo.index.forEachWithin(query.lat, query.lng, query.radiusM, (position, key) => {
      if (query.availableOnly && !canRentNow(stationAt(position), query.minBattery)) return;
      total++;
      if (nearest.mayKeep(key)) nearest.offer(stationAt(position), key);
    });
    const results = nearest
      .sorted()
      .slice(offset)
      .map(({ station, key }) => nearbyOf(station, query.minBattery, Math.round(distanceOfKey(key))));
    return { results, total };
  }

  /** Stores `station` in its slot (a new one for a new id); returns what was there. */
  #put(station: DirectoryStation): DirectoryStation | undefined {
    const slot = this.#slotOf.get(station.id);
    if (slot === undefined) {
      this.#slotOf.set(station.id, this.#entries.length);
      this.#slotOfSn.set(station.sn, this.#entries.length);
      this.#entries.push(station);
      return undefined;
    }
    const before = this.#entries[slot];
    this.#entries[slot] = station;
    // A serial number is unique among stations, so a renamed one frees its old name.
    if (before && before.sn !== station.sn && this.#slotOfSn.get(before.sn) === slot) {
      this.#slotOfSn.delete(before.sn);
    }
    this.#slotOfSn.set(station.sn, slot);
    return before;
  }

  #geoIndex(): { index: StationGeoIndex; slots: Int32Array } {
    if (!this.#geo) {
      const slots: number[] = [];
      const points = [];
      for (const [slot, station] of this.#entries.entries()) {
        if (!station.listed) continue;
        slots.push(slot);
        points.push({ id: station.id, lat: station.latitude, lng: station.longitude });
      }
      this.#geo = { index: new StationGeoIndex(points), slots: Int32Array.from(slots) };
    }
    return this.#geo;
  }
}

function availableOf(station: DirectoryStation, minBattery: number): number {
  let available = 0;
  for (const level of station.readyBatteries) if (level >= minBattery) available++;
  return available;
}

const canRentNow = (station: DirectoryStation, minBattery: number) =>
  station.status === 'online' && station.readyBatteries.some((level) => level >= minBattery);

/** Each nearby result's directory entry, for `nearbyJson` (a symbol: no serializer or schema sees it). */
const ENTRY = Symbol('directory entry');

/** One object per result, in the output's key order (no summary spread into a second object). */
function nearbyOf(station: DirectoryStation, minBattery: number, distanceM: number): NearbyStation {
  const result: NearbyStation = {
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
    distanceM,
  };
  Object.defineProperty(result, ENTRY, { value: station });
  return result;
}

/**
 * A result's JSON up to its distance, per directory entry and available count
 * (the only other field that is not the entry's own: it follows the rental
 * minimum). Entries are replaced, never changed, when a station changes
 * (`apply`), so the text lives exactly as long as what it was made of.
 */
const headOf = new WeakMap<DirectoryStation, { available: number; head: string }>();

/**
 * `JSON.stringify` of a nearby answer, built from each station's JSON text
 * kept since its first answer (only the distance changes per request): on a
 * busy api, serialising 20 stations (their strings and coordinates scattered
 * over the directory, a cached date per station) was ~15% of a nearby request.
 * Results that are not the directory's own (a copy, as the output check makes
 * in tests) are serialised as usual.
 */
export function nearbyJson(output: { results: NearbyStation[]; pagination: unknown }): string {
  if (Object.keys(output).join() !== 'results,pagination') return JSON.stringify(output);
  const parts = output.results.map((result) => {
    const station = (result as { [ENTRY]?: DirectoryStation })[ENTRY];
    if (!station) return JSON.stringify(result);
    const available = result.availablePowerBanks;
    let cached = headOf.get(station);
    if (cached?.available !== available) {
      const { distanceM: _, ...rest } = result;
      cached = { available, head: JSON.stringify(rest).slice(0, -1) };
      headOf.set(station, cached);
    }
    return `${cached.head},"distanceM":${JSON.stringify(result.distanceM)}}`;
  });
  return `{"results":[${parts.join(',')}],"pagination":${JSON.stringify(output.pagination)}}`;
}

/** A station and its haversine key (smaller is nearer). */
interface Ranked {
  station: DirectoryStation;
  key: number;
}

const before = (a: Ranked, b: Ranked) => a.key - b.key || compareIds(a.station.id, b.station.id);

/** Above this many kept, inserting in order costs more than one sort at the end. */
const INSERTION_LIMIT = 256;

/**
 * The `k` nearest of the stations offered, by distance then id. A page needs the
 * first offset + limit of ~1,000 hits in a dense city: most are farther than the
 * k-th kept and cost one comparison, so this beats sorting them all. Deep pages
 * (large k) collect everything and sort once, so a request can never cost n × k.
 */
class NearestFirst {
  readonly #kept: Ranked[] = [];
  readonly #insert: boolean;
  constructor(private readonly k: number) {
    this.#insert = k <= INSERTION_LIMIT;
  }

  /** False when a hit this far can no longer make the page (equal keys still may, by id). */
  mayKeep(key: number): boolean {
    const kept = this.#kept;
    return !this.#insert || kept.length < this.k || key <= (kept[kept.length - 1] as Ranked).key;
  }

  offer(station: DirectoryStation, key: number): void {
    const kept = this.#kept;
    if (!this.#insert) {
      kept.push({ station, key });
      return;
    }
    if (kept.length === this.k) {
      // Most hits end here, before anything is allocated for them.
      const last = kept[kept.length - 1] as Ranked;
      if (key > last.key || (key === last.key && station.id >= last.station.id)) return;
      kept.pop();
    }
    const candidate = { station, key };
    let i = kept.length;
    kept.push(candidate);
    while (i > 0 && before(candidate, kept[i - 1] as Ranked) < 0) {
      kept[i] = kept[i - 1] as Ranked;
      i--;
    }
    kept[i] = candidate;
  }

  sorted(): readonly Ranked[] {
    return this.#insert ? this.#kept : this.#kept.sort(before).slice(0, this.k);
  }
}
