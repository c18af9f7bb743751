// Signing in from scratch: OTP request → the code → verify → register (first time) or login →
// refresh → me → logout. Codes come from the load-test SMS provider (the api runs with
// SMS_PROVIDER=loadtest), which answers only for the reserved phones +1555010xxxx.
//   k6 run -e SCENARIO=smoke loadtests/k6/auth.js       (see README.md)

import { check, sleep } from 'k6';
import { THINK } from './lib/config.js';
import { rest } from './lib/http.js';
import { between, churnPhone, rng, runSeed } from './lib/random.js';
import { flowOptions, READ, SLOW_WRITE, WRITE } from './lib/scenarios.js';
import { signIn } from './lib/session.js';
import { summaryHandler } from './lib/summary.js';

export const AUTH_ENDPOINTS = {
  // Sign-in steps: each takes the phone's lock and writes several rows (challenge, session, log).
  'POST /api/auth/get-otp': SLOW_WRITE,
  'GET /api/loadtest/last-code': READ,
  'POST /api/auth/verify-otp': SLOW_WRITE,
  'POST /api/auth/register': SLOW_WRITE,
  'POST /api/auth/login': SLOW_WRITE,
  'POST /api/auth/refresh': WRITE,
  'GET /api/auth/me': READ,
  'POST /api/auth/logout': WRITE,
};

export const options = flowOptions('auth', 20, AUTH_ENDPOINTS);

export function setup() {
  return { seed: runSeed() };
}

/**
 * One user's sign-in and sign-out. Each VU walks through 20 phones of its own in turn, since a
 * phone may be texted only once a minute (otp_resend_seconds).
 */
export function auth(data) {
  const r = rng(data.seed);
  const session = signIn(churnPhone(data.seed));
  if (!session) return;
  sleep(between(r, THINK[0], THINK[1]));
  const refreshed = rest('POST', '/api/auth/refresh', { body: {}, token: session.token, kind: 'write' });
  const token = refreshed.data ? refreshed.data.token : null;
  check(token, { 'refresh gives a new token': (t) => !!t && t !== session.token });
  // The old token was revoked by the refresh: it must be refused now.
  rest('GET', '/api/auth/me', { token: session.token, expect: [401], name: 'GET /api/auth/me (revoked)' });
  const me = rest('GET', '/api/auth/me', { token });
  check(me.data, { 'me is the signed-in user': (u) => !!u && u.id === session.user.id });
  sleep(between(r, THINK[0], THINK[1]));
  rest('POST', '/api/auth/logout', { body: {}, token, kind: 'write' });
}

export default auth;
export const handleSummary = summaryHandler('auth');
