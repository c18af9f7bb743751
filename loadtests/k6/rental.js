// A rental from start to return: packages → calculate-options → a station with a power bank
// (nearby, available only) → start (the simulated station ejects) → poll active → the simulated
// station takes the power bank back by itself (the simulator runs with --auto-return-ms;
// infra/up: SIM_AUTO_RETURN_MS) → the rental is settled, anything due is paid. The wallet is
// topped up through the sandbox first when it runs low.
//   k6 run -e SCENARIO=smoke loadtests/k6/rental.js       (see README.md)

import { check, sleep } from 'k6';
import { CITIES, THINK } from './lib/config.js';
import { query, rest, warmUp } from './lib/http.js';
import { between, pick, pointIn, rng, runSeed, userPhone } from './lib/random.js';
import { CACHED, READ, scenarios, thresholds, WRITE } from './lib/scenarios.js';
import { vuSession } from './lib/session.js';
import { summaryHandler } from './lib/summary.js';
import { TOPUP_ENDPOINTS, topUp } from './wallet.js';

/** How long a rental may take to come back: the simulator's longest return delay, and some. */
const RETURN_TIMEOUT_S = Number(__ENV.RETURN_TIMEOUT_S || 60);

export const RENTAL_ENDPOINTS = {
  'GET /api/payment/packages': CACHED,
  'POST /api/payment/calculate-options': WRITE,
  'GET /api/app/stations/nearby': CACHED,
  'POST /api/rentals/start': [1500, 3000], // includes the station's eject (500 ms in the simulator)
  'GET /api/rentals/active': READ,
  'GET /api/rentals/history': READ,
  'POST /api/rentals/{id}/pay-due': WRITE,
};

export const options = {
  scenarios: scenarios('rental', 20),
  thresholds: thresholds(Object.assign({}, TOPUP_ENDPOINTS, RENTAL_ENDPOINTS)),
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
};

export function setup() {
  warmUp(CITIES);
  return { seed: runSeed() };
}

/** The shortest prepaid package: the cheapest way to rent for a few seconds. */
function shortestPrepaid() {
  const { data } = rest('GET', '/api/payment/packages', { kind: 'cached' });
  const prepaid = (data ? data.results : []).filter((p) => p.payment_model === 'prepaid');
  prepaid.sort((a, b) => a.duration_minutes - b.duration_minutes);
  return prepaid[0];
}

/** Polls `GET /api/rentals/active` until `done(rentals)` or the deadline; the last answer. */
function pollActive(token, done) {
  const until = Date.now() + RETURN_TIMEOUT_S * 1000;
  for (;;) {
    const { data } = rest('GET', '/api/rentals/active', { token });
    const rentals = data ? data.results : [];
    if (done(rentals) || Date.now() > until) return rentals;
    sleep(1);
  }
}

/** rental_starts_per_minute (3 by default): a user starts at most once every 20 s. */
const MIN_START_INTERVAL_S = Number(__ENV.MIN_START_INTERVAL_S || 21);
let lastStartAt = 0;

export function rental(data) {
  const r = rng(data.seed);
  const wait = lastStartAt + MIN_START_INTERVAL_S * 1000 - Date.now();
  if (wait > 0) sleep(wait / 1000);
  const { token } = vuSession(userPhone(data.seed));
  const pkg = shortestPrepaid();
  if (!check(pkg, { 'a prepaid package exists': (p) => !!p })) return;

  const quote = rest('POST', '/api/payment/calculate-options', {
    body: { package_id: pkg.id },
    token,
    kind: 'write',
  }).data;
  if (!quote) return;
  const wallet = quote.options.find((o) => o.mode === 'wallet');
  if (!wallet || !wallet.sufficient) {
    if (!topUp(r, token, Math.max(pkg.price.amount * 5, 2000))) return;
  }
  sleep(between(r, THINK[0], THINK[1]));

  const { lat, lng } = pointIn(r, CITIES);
  const nearby = rest(
    'GET',
    `/api/app/stations/nearby${query({ lat, lng, radius: 20000, available_only: true })}`,
    {
      kind: 'cached',
      name: 'GET /api/app/stations/nearby',
    },
  ).data;
  const stations = nearby ? nearby.results.filter((s) => s.availablePowerBanks > 0) : [];
  if (!check(stations, { 'a station with a power bank': (s) => s.length > 0 })) return;
  const station = pick(r, stations);

  lastStartAt = Date.now();
  const started = rest('POST', '/api/rentals/start', {
    body: {
      station_sn: station.sn,
      package_id: pkg.id,
      payment_mode: 'wallet',
      idempotency_key: `k6-${data.seed}-${__VU}-${__ITER}`,
    },
    token,
    // Not a plain write: it answers after the station's eject (the simulator takes 500 ms).
    kind: 'eject',
  }).data;
  if (!started) return;
  const id = started.id;
  // The start answers once the station ejected (active) or refused (failed, refunded).
  const active = pollActive(token, (rentals) => rentals.some((x) => x.id === id && x.status === 'active'));
  check(active, {
    'rental active': (rentals) => rentals.some((x) => x.id === id) || started.status === 'active',
  });

  // The simulated station takes the power bank back by itself; the rental leaves the active list.
  const open = pollActive(token, (rentals) => !rentals.some((x) => x.id === id));
  if (!check(open, { 'power bank returned': (rentals) => !rentals.some((x) => x.id === id) })) return;

  const history = rest('GET', `/api/rentals/history${query({ page_size: 5 })}`, {
    token,
    name: 'GET /api/rentals/history',
  }).data;
  const done = history ? history.results.find((x) => x.id === id) : undefined;
  check(done, { 'rental settled': (x) => !!x && x.status === 'settled' });
  if (done && done.due.amount > 0) {
    rest('POST', `/api/rentals/${id}/pay-due`, {
      body: { payment_mode: 'wallet', idempotency_key: `k6-due-${id}` },
      token,
      kind: 'write',
      name: 'POST /api/rentals/{id}/pay-due',
    });
  }
  sleep(between(r, THINK[0], THINK[1]));
}

export default rental;
export const handleSummary = summaryHandler('rental');
