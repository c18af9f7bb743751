import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { northOf } from './station.builders.ts';
import {
  boundingBoxes,
  distanceM,
  EARTH_RADIUS_M,
  type GeoPoint,
  StationGeoIndex,
} from './station-geo-index.ts';

// Micro-degrees: fc.double would mostly draw values next to 0 (its bias towards small magnitudes).
const latitude = fc.integer({ min: -90_000_000, max: 90_000_000 }).map((v) => v / 1e6);
const longitude = fc.integer({ min: -180_000_000, max: 179_999_999 }).map((v) => v / 1e6);

/**
 * Points around a centre, out to 1.3× the search radius in each direction (longitude
 * widened by the latitude), so many fall near the circle's edge; wrapped onto the globe.
 */
const around = (lat: number, lng: number, radiusM: number) => {
  const dLat = (1.3 * radiusM * 180) / (Math.PI * EARTH_RADIUS_M);
  const dLng = Math.min(180, dLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
  return fc
    .array(
      fc.record({
        y: fc.integer({ min: -1e6, max: 1e6 }).map((v) => (v / 1e6) * dLat),
        x: fc.integer({ min: -1e6, max: 1e6 }).map((v) => (v / 1e6) * dLng),
      }),
      { maxLength: 300 },
    )
    .map((offsets) =>
      offsets.map(
        ({ y, x }, i): GeoPoint => ({
          id: `s${String(i).padStart(4, '0')}`,
          lat: Math.max(-90, Math.min(90, lat + y)),
          lng: ((((lng + x + 180) % 360) + 360) % 360) - 180,
        }),
      ),
    );
};

/** What the index must answer: every point checked, nearest first, ties by id. */
function bruteForce(points: GeoPoint[], lat: number, lng: number, radius: number) {
  return points
    .map((p) => ({ id: p.id, distanceM: distanceM(lat, lng, p.lat, p.lng) }))
    .filter((h) => h.distanceM <= radius)
    .sort((a, b) => a.distanceM - b.distanceM || (a.id < b.id ? -1 : 1));
}

describe('StationGeoIndex', () => {
  it('answers exactly what checking every station would, anywhere on the globe', () => {
    const scene = fc
      .tuple(latitude, longitude, fc.integer({ min: 1, max: 50_000 }))
      .chain(([lat, lng, radius]) =>
        fc.tuple(fc.constant(lat), fc.constant(lng), fc.constant(radius), around(lat, lng, radius)),
      );
    fc.assert(
      fc.property(scene, ([lat, lng, radius, points]) => {
        const index = new StationGeoIndex(points);
        expect(index.within(lat, lng, radius)).toEqual(bruteForce(points, lat, lng, radius));
      }),
      { numRuns: 300 },
    );
  });

  it('orders equal distances by id even where their haversine terms differ by an ulp (at a pole)', () => {
    // Found by the property above (seed -1343192393): two points at the pole, different longitudes.
    const points: GeoPoint[] = [
      { id: 's0000', lat: 90, lng: 14.17537899804961 },
      { id: 's0001', lat: 90, lng: 14.166676999999936 },
    ];
    const index = new StationGeoIndex(points);
    expect(index.within(89.999999, 14.166677, 10)).toEqual(bruteForce(points, 89.999999, 14.166677, 10));
  });

  it('finds stations across the antimeridian and over a pole', () => {
    const points: GeoPoint[] = [
      { id: 'east', lat: 0, lng: 179.999 },
      { id: 'west', lat: 0, lng: -179.998 },
      { id: 'far', lat: 0, lng: 170 },
      { id: 'pole-a', lat: 89.9999, lng: 0 },
      { id: 'pole-b', lat: 89.9998, lng: 180 },
    ];
    const index = new StationGeoIndex(points);
    expect(index.within(0, 180, 500).map((h) => h.id)).toEqual(['east', 'west']);
    expect(index.within(0, -180, 500).map((h) => h.id)).toEqual(['east', 'west']);
    expect(index.within(0, -179.9985, 500).map((h) => h.id)).toEqual(['west', 'east']);
    expect(index.within(90, 0, 100).map((h) => h.id)).toEqual(['pole-a', 'pole-b']);
    expect(boundingBoxes(0, 179.99, 5_000)).toHaveLength(2);
    expect(boundingBoxes(89.99, 0, 5_000)).toEqual([[-180, expect.any(Number), 180, 90]]);
  });

  it('measures on the same sphere as the database, to the meter at the edge of the radius', () => {
    const index = new StationGeoIndex([
      { id: 'inside', lat: northOf(27.7, 1_999.9), lng: 85.3 },
      { id: 'outside', lat: northOf(27.7, 2_000.1), lng: 85.3 },
    ]);
    const hits = index.within(27.7, 85.3, 2_000);
    expect(hits.map((h) => h.id)).toEqual(['inside']);
    expect(hits[0]?.distanceM).toBeCloseTo(1_999.9, 3);
  });

  it('measures short distances (its polynomial sine) as the textbook haversine with Math.sin does', () => {
    const reference = (lat1: number, lng1: number, lat2: number, lng2: number) => {
      const rad = (deg: number) => (deg * Math.PI) / 180;
      const [a1, a2, b1, b2] = [rad(lat1), rad(lat2), rad(lng1), rad(lng2)];
      const a = Math.sin((a2 - a1) / 2) ** 2 + Math.cos(a1) * Math.cos(a2) * Math.sin((b2 - b1) / 2) ** 2;
      return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
    };
    // Offsets up to ~0.12° (~13 km): both sides of where the polynomial hands over to Math.sin.
    // To a nanometer: a polynomial one term short or with a wrong sign is off by millimetres.
    const offset = fc.integer({ min: -120_000, max: 120_000 }).map((v) => v / 1e6);
    fc.assert(
      fc.property(latitude, longitude, offset, offset, (lat, lng, dLat, dLng) => {
        const lat2 = Math.max(-90, Math.min(90, lat + dLat));
        const expected = reference(lat, lng, lat2, lng + dLng);
        expect(Math.abs(distanceM(lat, lng, lat2, lng + dLng) - expected)).toBeLessThanOrEqual(
          1e-9 + 1e-12 * expected,
        );
      }),
    );
  });

  it('an empty index answers nothing', () => {
    expect(new StationGeoIndex([]).within(0, 0, 50_000)).toEqual([]);
  });
});
