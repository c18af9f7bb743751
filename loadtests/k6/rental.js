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
import { CACHED, flowOptions, READ, WRITE } from './lib/scenarios.js';
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

export const options = flowOptions('rental', 20, Object.assign({}, TOPUP_ENDPOINTS, RENTAL_ENDPOINTS));

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

/** rental_starts_per_minute (3 by default): this user's starts within the last minute stay under it. */
const STARTS_PER_MINUTE = Number(__ENV.STARTS_PER_MINUTE || 3);
const startTimes = [];

/** Waits until this user may start again without a 429, then counts the start. */
function paceStart() {
  for (;;) {
    while (startTimes.length && startTimes[0] < Date.now() - 61000) startTimes.shift();
    if (startTimes.length < STARTS_PER_MINUTE) break;
    sleep((startTimes[0] + 61000 - Date.now()) / 1000);
  }
  startTimes.push(Date.now());
}

export function rental(data) {
  const r = rng(data.seed);
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
  // Under load the directory's count can be a moment old: another user took the last power bank.
  // The start refuses (422) and changes nothing; a user walks on to another station.
  let started = null;
  for (let attempt = 0; attempt < 3 && !started; attempt += 1) {
    paceStart();
    const answer = rest('POST', '/api/rentals/start', {
      body: {
        station_sn: pick(r, stations).sn,
        package_id: pkg.id,
        payment_mode: 'wallet',
        idempotency_key: `k6-${data.seed}-${__VU}-${__ITER}-${attempt}`,
      },
      token,
      // Not a plain write: it answers after the station's eject (the simulator takes 500 ms).
      kind: 'eject',
      expect: [200, 422],
    });
    if (answer.data) started = answer.data;
    else if (
      !check(answer.error, {
        'start refused only for want of a power bank': (e) => !!e && e.code === 'BUSINESS_RULE',
      })
    )
      return;
  }
  if (!check(started, { 'rental started (within 3 stations)': (x) => !!x })) return;
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
