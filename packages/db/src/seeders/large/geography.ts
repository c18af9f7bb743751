/**
 * Where the large data set's stations are: a country-sized area (the
 * contiguous United States), 92% clustered around 16 metro areas weighted
 * roughly by population, 8% spread uniformly over the whole bounding box
 * (highways, small towns). Dense city centres make nearby search realistic:
 * results near Manhattan are many, near Kansas few.
 */
export const METROS = [
  { name: 'New York', latitude: 40.7128, longitude: -74.006, weight: 16, radiusKm: 30 },
  { name: 'Los Angeles', latitude: 34.0522, longitude: -118.2437, weight: 12, radiusKm: 40 },
  { name: 'Chicago', latitude: 41.8781, longitude: -87.6298, weight: 8, radiusKm: 30 },
  { name: 'Houston', latitude: 29.7604, longitude: -95.3698, weight: 6, radiusKm: 30 },
  { name: 'Dallas', latitude: 32.7767, longitude: -96.797, weight: 6, radiusKm: 30 },
  { name: 'San Francisco', latitude: 37.7749, longitude: -122.4194, weight: 6, radiusKm: 25 },
  { name: 'Philadelphia', latitude: 39.9526, longitude: -75.1652, weight: 5, radiusKm: 20 },
  { name: 'Phoenix', latitude: 33.4484, longitude: -112.074, weight: 4, radiusKm: 25 },
  { name: 'Seattle', latitude: 47.6062, longitude: -122.3321, weight: 4, radiusKm: 20 },
  { name: 'Boston', latitude: 42.3601, longitude: -71.0589, weight: 4, radiusKm: 20 },
  { name: 'Atlanta', latitude: 33.749, longitude: -84.388, weight: 4, radiusKm: 25 },
  { name: 'Miami', latitude: 25.7617, longitude: -80.1918, weight: 4, radiusKm: 25 },
  { name: 'Washington', latitude: 38.9072, longitude: -77.0369, weight: 4, radiusKm: 20 },
  { name: 'San Antonio', latitude: 29.4241, longitude: -98.4936, weight: 3, radiusKm: 20 },
  { name: 'San Diego', latitude: 32.7157, longitude: -117.1611, weight: 3, radiusKm: 20 },
  { name: 'Denver', latitude: 39.7392, longitude: -104.9903, weight: 3, radiusKm: 20 },
] as const;

/** The rest of the stations: uniform over this box. */
export const COUNTRY_BOX = { south: 25, north: 49, west: -124, east: -67 } as const;

/** Percent of stations outside any metro (the weights above add up to the rest of 100). */
export const RURAL_WEIGHT = 100 - METROS.reduce((sum, metro) => sum + metro.weight, 0);

/** `(lo, hi, name, lat, lng, radius_km)` rows: a station whose 0–99 pick falls in [lo, hi) belongs to that metro. */
export function metroValuesSql(): string {
  let lo = 0;
  return METROS.map((m) => {
    const row = `(${lo}, ${lo + m.weight}, '${m.name}', ${m.latitude}::float8, ${m.longitude}::float8, ${m.radiusKm}::float8)`;
    lo += m.weight;
    return row;
  }).join(',\n    ');
}
