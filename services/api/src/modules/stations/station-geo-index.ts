import KDBush from 'kdbush';

/**
 * earthdistance's sphere radius (`earth()`, meters). Distances here and in SQL
 * use the same sphere, so the app shows the numbers `earth_distance` would.
 */
export const EARTH_RADIUS_M = 6_378_168;

const toRad = (deg: number) => (deg * Math.PI) / 180;
const toDeg = (rad: number) => (rad * 180) / Math.PI;

/**
 * The haversine term of two points given in radians (with their latitudes'
 * cosines): 0 for the same point, growing with the distance. Comparing these
 * orders points exactly as their distances would, without asin and sqrt.
 */
function haversineKey(
  lat1: number,
  cosLat1: number,
  lng1: number,
  lat2: number,
  cosLat2: number,
  lng2: number,
) {
  const dLat = sinOfSmall((lat2 - lat1) / 2);
  const dLng = sinOfSmall((lng2 - lng1) / 2);
  return dLat * dLat + cosLat1 * cosLat2 * dLng * dLng;
}

/**
 * sin x, by its Taylor polynomial x − x³/6 + x⁵/120 when |x| < 1e-3 (half-angles
 * of up to ~6 km, every nearby search's): the next term is below 1e-22 of the
 * result, far under one ulp, and it costs a few multiplications instead of
 * `Math.sin` for each of the hundreds of points a search measures.
 */
function sinOfSmall(x: number): number {
  if (x > 1e-3 || x < -1e-3) return Math.sin(x);
  const x2 = x * x;
  return x * (1 - (x2 / 6) * (1 - x2 / 20));
}

/** Meters for a haversine key. */
export const distanceOfKey = (key: number) => 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(key)));

/** Great-circle meters between two points (haversine, on `EARTH_RADIUS_M`). */
export function distanceM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const a = toRad(lat1);
  const b = toRad(lat2);
  return distanceOfKey(haversineKey(a, Math.cos(a), toRad(lng1), b, Math.cos(b), toRad(lng2)));
}

/** Relative slack around the radius's key, inside which a point is measured exactly. */
const KEY_EDGE = 1e-9;

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
  /**
   * Points are kept in Z-order (nearby points next to each other in memory) with
   * their numbers side by side, so the few hundred hits of a search read a few
   * runs of memory rather than three cache lines per hit scattered over the whole
   * set — on a busy server, where other work keeps evicting the set from the CPU's
   * caches, those misses were most of a search's time. `#at` maps an internal
   * index back to the position in the constructor's `points`.
   */
  readonly #at: Int32Array;
  /** Per point, internal order: latitude and longitude in radians and the latitude's cosine. */
  readonly #coords: Float64Array;
  readonly #tree: KDBush;

  constructor(points: readonly GeoPoint[]) {
    this.size = points.length;
    this.#ids = points.map((p) => p.id);
    this.#at = zOrder(points);
    this.#coords = new Float64Array(points.length * 3);
    // kdbush needs at least one item; an empty index answers from the empty list below.
    this.#tree = new KDBush(Math.max(1, points.length));
    for (const [i, position] of this.#at.entries()) {
      const p = points[position] as GeoPoint;
      const lat = toRad(p.lat);
      this.#coords[i * 3] = lat;
      this.#coords[i * 3 + 1] = Math.cos(lat);
      this.#coords[i * 3 + 2] = toRad(p.lng);
      this.#tree.add(p.lng, p.lat);
    }
    if (!points.length) this.#tree.add(0, 0);
    this.#tree.finish();
  }

  /** Points within `radiusM` of (lat, lng), nearest first, equal distances by id. */
  within(lat: number, lng: number, radiusM: number): GeoHit[] {
    const found: GeoHit[] = [];
    this.forEachWithin(lat, lng, radiusM, (i, key) =>
      found.push({ id: this.#ids[i] as string, distanceM: distanceOfKey(key) }),
    );
    // By the meters reported, not the keys: two keys one ulp apart (points at a pole at different
    // longitudes) are the same distance, and equal distances go by id.
    return found.sort((a, b) => a.distanceM - b.distanceM || compareIds(a.id, b.id));
  }

  /**
   * Calls `visit` with the position (in the constructor's `points`) and the
   * haversine key (`distanceOfKey` turns it into meters; smaller is nearer) of each
   * point within `radiusM`, in no particular order, allocating nothing per point.
   */
  forEachWithin(
    lat: number,
    lng: number,
    radiusM: number,
    visit: (position: number, key: number) => void,
  ): void {
    if (!this.size) return;
    const lat0 = toRad(lat);
    const cosLat0 = Math.cos(lat0);
    const lng0 = toRad(lng);
    const maxKey = Math.sin(Math.min(Math.PI, radiusM / EARTH_RADIUS_M) / 2) ** 2;
    const [outside, edge] = [maxKey * (1 + KEY_EDGE), maxKey * (1 - KEY_EDGE)];
    const [coords, at] = [this.#coords, this.#at];
    for (const [minLng, minLat, maxLng, maxLat] of boundingBoxes(lat, lng, radiusM)) {
      for (const i of this.#tree.range(minLng, minLat, maxLng, maxLat)) {
        const c = i * 3;
        const key = haversineKey(
          lat0,
          cosLat0,
          lng0,
          coords[c] as number,
          coords[c + 1] as number,
          coords[c + 2] as number,
        );
        if (key > outside) continue;
        // On the circle's edge, to the float: decide in meters, as `distanceM` would.
        if (key >= edge && distanceOfKey(key) > radiusM) continue;
        visit(at[i] as number, key);
      }
    }
  }
}

/**
 * The points' positions sorted by the Morton (Z-order) code of their cell on a
 * 2¹⁶ × 2¹⁶ grid of the globe (~600 m cells). Only the memory order depends on it.
 */
function zOrder(points: readonly GeoPoint[]): Int32Array {
  const codes = new Float64Array(points.length);
  for (const [i, p] of points.entries()) {
    const y = Math.min(65_535, Math.max(0, Math.floor(((p.lat + 90) / 180) * 65_536)));
    const x = Math.min(65_535, Math.max(0, Math.floor(((p.lng + 180) / 360) * 65_536)));
    codes[i] = spreadBits(x) * 2 + spreadBits(y);
  }
  return Int32Array.from(points.keys()).sort((a, b) => (codes[a] as number) - (codes[b] as number));
}

/** The 16 bits of `v` moved to the even bit positions of a 32-bit number. */
function spreadBits(v: number): number {
  let x = v & 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
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
