import KDBush from 'kdbush';

/**
 * earthdistance's sphere radius (`earth()`, meters). Distances here and in SQL
 * use the same sphere, so the app shows the numbers `earth_distance` would.
 */
export const EARTH_RADIUS_M = 6_378_168;

const toRad = (deg: number) => (deg * Math.PI) / 180;
const toDeg = (rad: number) => (rad * 180) / Math.PI;

/** Great-circle meters between two points (haversine, on `EARTH_RADIUS_M`). */
export function distanceM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const h =
    Math.sin(toRad(lat2 - lat1) / 2) ** 2 +
    Math.cos(toRad(lat1)) * Math.cos(toRad(lat2)) * Math.sin(toRad(lng2 - lng1) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface GeoPoint {
  id: string;
  lat: number;
  lng: number;
}

export interface GeoHit {
  id: string;
  distanceM: number;
}

/** Slack on the bounding box, so float rounding never drops a point on the circle's edge. */
const BOX_SLACK_DEG = 1e-9;

/**
 * The listed stations' positions in a KD-tree (kdbush), for "what is within r
 * meters of here, nearest first". Positions change only when a station is
 * added, moved or delisted, so one immutable index serves every request until
 * such a change; what does change all the time (status, power banks) is not in
 * here but in the station directory, which owns this index.
 */
export class StationGeoIndex {
  readonly size: number;
  readonly #ids: string[];
  readonly #lat: Float64Array;
  readonly #lng: Float64Array;
  readonly #tree: KDBush;

  constructor(points: readonly GeoPoint[]) {
    this.size = points.length;
    this.#ids = points.map((p) => p.id);
    this.#lat = Float64Array.from(points, (p) => p.lat);
    this.#lng = Float64Array.from(points, (p) => p.lng);
    // kdbush needs at least one item; an empty index answers from the empty list below.
    this.#tree = new KDBush(Math.max(1, points.length));
    for (const p of points) this.#tree.add(p.lng, p.lat);
    if (!points.length) this.#tree.add(0, 0);
    this.#tree.finish();
  }

  /** Points within `radiusM` of (lat, lng), nearest first, equal distances by id. */
  within(lat: number, lng: number, radiusM: number): GeoHit[] {
    const hits: GeoHit[] = [];
    this.forEachWithin(lat, lng, radiusM, (i, distanceM) =>
      hits.push({ id: this.#ids[i] as string, distanceM }),
    );
    return hits.sort((a, b) => a.distanceM - b.distanceM || compareIds(a.id, b.id));
  }

  /**
   * Calls `visit` with the position (in the constructor's `points`) and distance of
   * each point within `radiusM`, in no particular order, allocating nothing per point.
   */
  forEachWithin(
    lat: number,
    lng: number,
    radiusM: number,
    visit: (position: number, distanceM: number) => void,
  ): void {
    if (!this.size) return;
    for (const [minLng, minLat, maxLng, maxLat] of boundingBoxes(lat, lng, radiusM)) {
      for (const i of this.#tree.range(minLng, minLat, maxLng, maxLat)) {
        const d = distanceM(lat, lng, this.#lat[i] as number, this.#lng[i] as number);
        if (d <= radiusM) visit(i, d);
      }
    }
  }
}

export const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type Box = [minLng: number, minLat: number, maxLng: number, maxLat: number];

/**
 * Longitude/latitude boxes that together cover the circle: one box, or two
 * where it crosses the antimeridian, or a full band of longitudes where it
 * reaches a pole. The longitude half-width of a spherical cap of angular radius
 * d at latitude φ is asin(sin d / cos φ).
 */
export function boundingBoxes(lat: number, lng: number, radiusM: number): Box[] {
  const angular = radiusM / EARTH_RADIUS_M;
  const dLat = toDeg(angular) + BOX_SLACK_DEG;
  const minLat = Math.max(-90, lat - dLat);
  const maxLat = Math.min(90, lat + dLat);
  const ratio = Math.sin(angular) / Math.cos(toRad(lat));
  if (minLat <= -90 || maxLat >= 90 || ratio >= 1) return [[-180, minLat, 180, maxLat]];
  const dLng = toDeg(Math.asin(ratio)) + BOX_SLACK_DEG;
  const minLng = lng - dLng;
  const maxLng = lng + dLng;
  if (minLng < -180) {
    return [
      [minLng + 360, minLat, 180, maxLat],
      [-180, minLat, maxLng, maxLat],
    ];
  }
  if (maxLng > 180) {
    return [
      [minLng, minLat, 180, maxLat],
      [-180, minLat, maxLng - 360, maxLat],
    ];
  }
  return [[minLng, minLat, maxLng, maxLat]];
}
