// Sign-in as a user does it: OTP request → the code (from the load-test SMS provider, which
// only answers for the reserved phones +1555010xxxx) → verify → login or register.

import { fail } from 'k6';
import { rest } from './http.js';

/** The code last texted to a reserved phone (GET /api/loadtest/last-code; SMS_PROVIDER=loadtest). */
export function lastCode(phone) {
  const { data } = rest('GET', `/api/loadtest/last-code?phone=${encodeURIComponent(phone)}`, {
    name: 'GET /api/loadtest/last-code',
  });
  return data && data.code;
}

/**
 * Signs `phone` in (registering it the first time): `{ token, user, registered }`, or null when a
 * step failed (its check failed and says which). `device` is sent with login/register.
 */
export function signIn(phone) {
  const sent = rest('POST', '/api/auth/get-otp', { body: { phone }, kind: 'write' });
  if (!sent.data) return null;
  const code = lastCode(phone);
  if (!code) return null;
  const verified = rest('POST', '/api/auth/verify-otp', { body: { phone, code }, kind: 'write' });
  if (!verified.data) return null;
  const registered = verified.data.registered;
  const { data } = rest('POST', registered ? '/api/auth/login' : '/api/auth/register', {
    body: { phone, verificationToken: verified.data.verificationToken },
    kind: 'write',
  });
  if (!data) return null;
  return { token: data.token, user: data.user, registered };
}

let session = null;

/** This VU's signed-in user, made on its first call and kept for the rest of the run. */
export function vuSession(phone) {
  if (!session) {
    session = signIn(phone);
    if (!session) fail(`could not sign in ${phone}: is the api running with SMS_PROVIDER=loadtest?`);
  }
  return session;
}
