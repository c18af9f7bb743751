// Browsing without signing in: the app's start screen and the map. Every path here is served
// from the api's caches (the static-table cache, the in-memory station directory).
//   k6 run -e SCENARIO=smoke loadtests/k6/browse.js       (see README.md)

import { check, sleep } from 'k6';
import { CITIES, THINK } from './lib/config.js';
import { query, rest, warmUp } from './lib/http.js';
import { between, pick, pointIn, rng, runSeed } from './lib/random.js';
import { CACHED, flowOptions } from './lib/scenarios.js';
import { summaryHandler } from './lib/summary.js';

export const BROWSE_ENDPOINTS = {
  'GET /api/app/version': CACHED,
  'GET /api/app/banners': CACHED,
  'GET /api/app/countries': CACHED,
  'GET /api/content/faq': CACHED,
  'GET /api/content/contact': CACHED,
  'GET /api/app/stations/nearby': CACHED,
  'GET /api/app/stations/{sn}': CACHED,
  'GET /api/payment/packages': CACHED,
};

export const options = flowOptions('browse', 200, BROWSE_ENDPOINTS);

export function setup() {
  warmUp(CITIES);
  return { seed: runSeed() };
}

const cached = { kind: 'cached' };
const cachedAs = (name) => ({ kind: 'cached', name });

/** One visit: the start screen's reads, a map search at a random point, a station, the prices. */
export function browse(data) {
  const r = rng(data.seed);
  const think = () => sleep(between(r, THINK[0], THINK[1]));
  rest(
    'GET',
    `/api/app/version${query({ platform: pick(r, ['ios', 'android']) })}`,
    cachedAs('GET /api/app/version'),
  );
  rest('GET', '/api/app/banners', cached);
  rest('GET', '/api/app/countries', cached);
  think();
  const { lat, lng } = pointIn(r, CITIES);
  const nearby = rest(
    'GET',
    `/api/app/stations/nearby${query({ lat, lng, radius: 3000 })}`,
    cachedAs('GET /api/app/stations/nearby'),
  );
  const stations = nearby.data ? nearby.data.results : [];
  check(stations, { 'nearby found stations': (s) => s.length > 0 });
  think();
  if (stations.length) {
    const sn = pick(r, stations).sn;
    const detail = rest(
      'GET',
      `/api/app/stations/${encodeURIComponent(sn)}`,
      cachedAs('GET /api/app/stations/{sn}'),
    );
    check(detail.data, { 'station detail has slots': (d) => !!d && Array.isArray(d.slots) });
  }
  rest('GET', '/api/payment/packages', cached);
  if (r() < 0.3) {
    rest('GET', '/api/content/faq', cached);
    rest('GET', '/api/content/contact', cached);
  }
  think();
}

export default browse;
export const handleSummary = summaryHandler('browse');
