// k6 version of `pnpm bench:api` (b) and (c), for users who have k6 (not run in CI):
//   k6 run -e BASE_URL=http://127.0.0.1:3000 loadtests/k6/api.js
// Start the api first against the large data set, with LOG_LEVEL=warn:
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_large LOG_LEVEL=warn NODE_ENV=production \
//     APP_SECRET=<16+ characters> RATE_LIMIT_READ_MAX=1000000000 pnpm dev:api

import { check } from 'k6';
import http from 'k6/http';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:3000';
const DURATION = __ENV.DURATION || '10s';

// Metro centres of the large data set (packages/db/src/seeders/large/geography.ts).
const CENTRES = [
  [40.7128, -74.006],
  [34.0522, -118.2437],
  [41.8781, -87.6298],
  [29.7604, -95.3698],
  [37.7749, -122.4194],
  [47.6062, -122.3321],
  [25.7617, -80.1918],
  [39.7392, -104.9903],
];

export const options = {
  scenarios: {
    countries: { executor: 'constant-vus', vus: 50, duration: DURATION, exec: 'countries' },
    nearby: { executor: 'constant-vus', vus: 50, duration: DURATION, exec: 'nearby', startTime: DURATION },
  },
  thresholds: {
    'http_req_duration{scenario:nearby}': ['p(99)<20'],
    checks: ['rate==1'],
  },
  summaryTrendStats: ['avg', 'med', 'p(99)', 'max'],
};

export function countries() {
  const res = http.get(`${BASE_URL}/api/app/countries`);
  check(res, { 'countries 200': (r) => r.status === 200 });
}

export function nearby() {
  const centre = CENTRES[Math.floor(Math.random() * CENTRES.length)];
  const lat = (centre[0] + (Math.random() - 0.5) * 0.1).toFixed(5);
  const lng = (centre[1] + (Math.random() - 0.5) * 0.1).toFixed(5);
  const res = http.get(`${BASE_URL}/api/app/stations/nearby?lat=${lat}&lng=${lng}&radius=2000`);
  check(res, { 'nearby 200': (r) => r.status === 200 });
}
