// REST calls with the envelope checks every flow makes: `{ success: true, data }` on 2xx,
// `{ success: false, error: { code, message } }` otherwise. Each request is tagged with its
// endpoint (`name`, the path with its parameters as {…}) and its kind (`cached` | `read` | `write`)
// so thresholds and the summary show each one.

import { check } from 'k6';
import http from 'k6/http';
import { BASE_URL } from './config.js';

const jsonHeaders = { 'Content-Type': 'application/json' };

/**
 * One REST call. `name`: the endpoint as a template ("GET /api/app/stations/{sn}"); `kind`: the
 * threshold group. `expect`: the statuses that count as success (default 200). Returns
 * `{ res, data, error }`: data is the envelope's `data`, error its `error` (or null).
 */
export function rest(method, path, { body, token, name, kind = 'read', expect = [200], headers = {} } = {}) {
  const tag = name || `${method} ${path.split('?')[0]}`;
  const params = {
    headers: Object.assign({}, body === undefined ? {} : jsonHeaders, authHeader(token), headers),
    tags: { name: tag, kind },
    responseCallback: http.expectedStatuses(...expect),
  };
  const res = http.request(
    method,
    `${BASE_URL}${path}`,
    body === undefined ? null : JSON.stringify(body),
    params,
  );
  const envelope = parse(res);
  if (!expect.includes(res.status)) {
    // Says why in the run's output: the check below only counts it.
    const why = envelope && envelope.error ? `${envelope.error.code}: ${envelope.error.message}` : res.error;
    console.warn(`${tag} → ${res.status} ${why}`);
  }
  check(
    res,
    {
      [`${tag} status ${expect.join('|')}`]: (r) => expect.includes(r.status),
      [`${tag} envelope`]: () =>
        envelope !== null &&
        (res.status < 400 ? envelope.success === true && 'data' in envelope : envelope.success === false),
    },
    { name: tag, kind },
  );
  return { res, data: envelope && envelope.data, error: envelope && envelope.error };
}

export const authHeader = (token) => (token ? { Authorization: `Bearer ${token}` } : {});

function parse(res) {
  try {
    return res.json();
  } catch (_) {
    return null;
  }
}

/** A query string from an object, undefined values left out. */
export function query(params) {
  const parts = Object.keys(params)
    .filter((k) => params[k] !== undefined)
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(params[k]))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * The cached reads once each before the run (from setup()), tagged `warmup`: a fresh api fills
 * its caches on the first request (each station's detail too, over REST and tRPC), which would
 * otherwise be a smoke run's p95.
 */
export function warmUp(cities) {
  const get = (path) => http.get(`${BASE_URL}${path}`, { tags: { name: 'warmup' } });
  for (const path of [
    '/api/app/version',
    '/api/app/banners',
    '/api/app/countries',
    '/api/content/faq',
    '/api/content/contact',
    '/api/payment/packages',
  ])
    get(path);
  for (const [lat, lng] of cities) {
    const res = get(`/api/app/stations/nearby?lat=${lat}&lng=${lng}&radius=20000&page_size=100`);
    const body = res.status === 200 ? JSON.parse(res.body) : null;
    for (const station of body ? body.data.results : []) {
      get(`/api/app/stations/${encodeURIComponent(station.sn)}`);
      get(`/trpc/stations.bySn?input=${encodeURIComponent(JSON.stringify({ json: { sn: station.sn } }))}`);
    }
  }
}
