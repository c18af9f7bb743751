// Money in: a top-up through the sandbox gateway, as the app and the gateway do it — intent →
// the checkout page's approve → the gateway's signed webhook (sent here too, signed with
// SANDBOX_WEBHOOK_SECRET, as the gateway would) → verify-topup → the wallet credited — then the
// wallet, its transactions and the points. Needs the sandbox gateway (on outside production).
//   k6 run -e SCENARIO=smoke loadtests/k6/wallet.js       (see README.md)

import { check, sleep } from 'k6';
import crypto from 'k6/crypto';
import http from 'k6/http';
import { BASE_URL, SANDBOX_WEBHOOK_SECRET, THINK } from './lib/config.js';
import { rest } from './lib/http.js';
import { between, intBetween, rng, runSeed, userPhone } from './lib/random.js';
import { flowOptions, READ, WRITE } from './lib/scenarios.js';
import { vuSession } from './lib/session.js';
import { summaryHandler } from './lib/summary.js';

export const TOPUP_ENDPOINTS = {
  'POST /api/payment/wallet/topup-intent': WRITE,
  'POST /sandbox/checkout/{id}/approve': WRITE,
  'POST /api/payment/webhook/sandbox': WRITE,
  'POST /api/payment/verify-topup': WRITE,
};

export const WALLET_ENDPOINTS = Object.assign({}, TOPUP_ENDPOINTS, {
  'GET /api/user/wallet': READ,
  'GET /api/user/transactions': READ,
  'GET /api/points/summary': READ,
  'GET /api/points/history': READ,
});

export const options = flowOptions('wallet', 50, WALLET_ENDPOINTS);

export function setup() {
  return { seed: runSeed() };
}

/** A webhook body signed as the sandbox gateway signs it: `t=<s>,v1=hex(HMAC-SHA256(secret, "t.body"))`. */
function signedWebhook(event) {
  const body = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const v1 = crypto.hmac('sha256', SANDBOX_WEBHOOK_SECRET, `${t}.${body}`, 'hex');
  return { body, headers: { 'Content-Type': 'application/json', 'Sandbox-Signature': `t=${t},v1=${v1}` } };
}

/** Tops `token`'s wallet up by `amount` minor units; true once verify-topup says it is credited. */
export function topUp(r, token, amount) {
  const intent = rest('POST', '/api/payment/wallet/topup-intent', {
    body: { amount, payment_method: 'sandbox_card', idempotency_key: `k6-${__VU}-${__ITER}-${Date.now()}` },
    token,
    kind: 'write',
  }).data;
  if (!intent || !intent.checkout_url) return false;
  const gatewayId = intent.checkout_url.split('/').pop();
  const approve = http.post(`${BASE_URL}/sandbox/checkout/${gatewayId}/approve`, null, {
    tags: { name: 'POST /sandbox/checkout/{id}/approve', kind: 'write' },
    // Only its status is checked: k6 need not keep the page.
    responseType: 'none',
  });
  check(approve, { 'sandbox approve 200': (res) => res.status === 200 });
  // The gateway's own webhooks follow the approve; this one is the same news under another event
  // id, as a gateway retrying would send: processed once whichever arrives first.
  const hook = signedWebhook({
    id: `evt_k6_${__VU}_${__ITER}_${Math.floor(r() * 1e9)}`,
    type: 'payment.succeeded',
    created: Math.floor(Date.now() / 1000),
    data: { intent_id: gatewayId, amount, currency: intent.amount.currency || 'USD', status: 'succeeded' },
  });
  const received = http.post(`${BASE_URL}/api/payment/webhook/sandbox`, hook.body, {
    headers: hook.headers,
    tags: { name: 'POST /api/payment/webhook/sandbox', kind: 'write' },
  });
  check(received, {
    'webhook received': (res) => res.status === 200 && res.json('received') === true,
  });
  const verified = rest('POST', '/api/payment/verify-topup', {
    body: { intent_id: intent.intent_id },
    token,
    kind: 'write',
  }).data;
  return check(verified, {
    'top-up credited': (v) => !!v && v.credited === true && v.status === 'succeeded',
  });
}

export function wallet(data) {
  const r = rng(data.seed);
  const { token } = vuSession(userPhone(data.seed));
  const before = rest('GET', '/api/user/wallet', { token }).data;
  const amount = intBetween(r, 5, 50) * 100;
  sleep(between(r, THINK[0], THINK[1]));
  if (topUp(r, token, amount) && before) {
    const after = rest('GET', '/api/user/wallet', { token }).data;
    check(after, { 'wallet grew by the top-up': (w) => !!w && balanceOf(w) - balanceOf(before) >= amount });
  }
  sleep(between(r, THINK[0], THINK[1]));
  rest('GET', '/api/user/transactions?page_size=20', { token, name: 'GET /api/user/transactions' });
  rest('GET', '/api/points/summary', { token });
  rest('GET', '/api/points/history?page_size=20', { token, name: 'GET /api/points/history' });
  sleep(between(r, THINK[0], THINK[1]));
}

/** The wallet's balance in minor units. */
const balanceOf = (w) => w.wallet.balance.amount;

export default wallet;
export const handleSummary = summaryHandler('wallet');
