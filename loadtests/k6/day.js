// A mixed day: 1,000 users (-e VUS=) with think time between their steps — 70 % browsing,
// 10 % wallet top-ups, 10 % rentals start to return, 5 % sign-ins, 5 % marketplace (-e MARKET=1,
// once the api has the marketplace; without it that share browses). Each share is a scenario of
// its own, so the summary shows each flow, each kind of request and each endpoint (-e ENDPOINTS=0
// leaves the endpoints' thresholds out: k6 matches every sample against every submetric of its
// metric, though measured at 1,000 VUs that cost no more than run-to-run noise — docs/benchmarks.md).
//   k6 run -e SCENARIO=load -e VUS=1000 -e DURATION=5m loadtests/k6/day.js     (see README.md)
//
// The targets (thresholds): cached reads p95 < 50 ms and p99 < 200 ms; writes p95 < 250 ms;
// failed requests < 0.1 %. A rental start is timed on its own (kind `eject`): it answers after the
// station's eject.

import { AUTH_ENDPOINTS, auth } from './auth.js';
import { BROWSE_ENDPOINTS, browse } from './browse.js';
import { CITIES } from './lib/config.js';
import { warmUp } from './lib/http.js';
import { runSeed } from './lib/random.js';
import { SUMMARY_STATS, scenarios, thresholds } from './lib/scenarios.js';
import { summaryHandler } from './lib/summary.js';
import { MARKET_ENDPOINTS, market } from './market.js';
import { RENTAL_ENDPOINTS, rental } from './rental.js';
import { WALLET_ENDPOINTS, wallet } from './wallet.js';

export { auth, browse, market, rental, wallet };

const TOTAL = Number(__ENV.VUS || 1000);
const MARKET = __ENV.MARKET === '1' || __ENV.MARKET === 'true';
const ENDPOINTS = __ENV.ENDPOINTS !== '0' && __ENV.ENDPOINTS !== 'false';
const SHARES = {
  browse: MARKET ? 0.7 : 0.75,
  wallet: 0.1,
  rental: 0.1,
  auth: 0.05,
  market: MARKET ? 0.05 : 0,
};

const FLOWS = Object.keys(SHARES).filter((flow) => SHARES[flow]);

function dayScenarios() {
  const out = {};
  for (const flow of FLOWS) {
    const flowScenarios = scenarios(flow, Math.max(1, Math.round(TOTAL * SHARES[flow])), true);
    for (const name of Object.keys(flowScenarios)) out[`${flow}_${name}`] = flowScenarios[name];
  }
  return out;
}

const SCENARIOS = dayScenarios();

/**
 * Each flow's failed requests (< 0.1 %), latency and request count, by the `scenario` tag k6 puts
 * on every sample; the latency targets are per kind below (a flow mixes kinds).
 */
function perFlow() {
  const out = {};
  for (const name of Object.keys(SCENARIOS)) {
    out[`http_req_failed{scenario:${name}}`] = ['rate<0.001'];
    // Always true: declared so the summary shows each flow's latency and count.
    out[`http_req_duration{scenario:${name}}`] = ['max>=0'];
    out[`http_reqs{scenario:${name}}`] = ['count>=0'];
  }
  return out;
}

export const options = {
  scenarios: SCENARIOS,
  thresholds: Object.assign(
    thresholds(
      ENDPOINTS
        ? Object.assign(
            {},
            BROWSE_ENDPOINTS,
            WALLET_ENDPOINTS,
            RENTAL_ENDPOINTS,
            AUTH_ENDPOINTS,
            MARKET ? MARKET_ENDPOINTS : {},
          )
        : {},
    ),
    perFlow(),
    {
      'http_req_duration{kind:cached}': ['p(95)<50', 'p(99)<200'],
      'http_req_duration{kind:write}': ['p(95)<250'],
      'http_req_duration{kind:read}': ['p(95)<250'],
      'http_req_duration{kind:eject}': ['p(95)<1500'],
      // Always true: declared so the summary counts each kind's requests.
      'http_reqs{kind:cached}': ['count>=0'],
      'http_reqs{kind:write}': ['count>=0'],
      'http_reqs{kind:read}': ['count>=0'],
      'http_reqs{kind:eject}': ['count>=0'],
    },
  ),
  summaryTrendStats: SUMMARY_STATS,
};

export function setup() {
  warmUp(CITIES);
  return { seed: runSeed() };
}

export default browse;
export const handleSummary = summaryHandler('day');
