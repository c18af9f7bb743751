// The marketplace as a customer uses it: search → availability and price for a period (quote) →
// checkout paid from the wallet (the deposit held) → cancel before pickup (refund, deposit
// released), so the items are free for the next VU. Written against the paths of the market
// branch's docs/marketplace.md (issue 20): the api this was written with had no marketplace yet,
// so this script has not run against it (README.md says so).
//   k6 run -e SCENARIO=smoke loadtests/k6/market.js       (see README.md)

import { check, sleep } from 'k6';
import { THINK } from './lib/config.js';
import { query, rest } from './lib/http.js';
import { between, intBetween, pick, rng, runSeed, userPhone } from './lib/random.js';
import { flowOptions, READ, WRITE } from './lib/scenarios.js';
import { vuSession } from './lib/session.js';
import { summaryHandler } from './lib/summary.js';
import { TOPUP_ENDPOINTS, topUp } from './wallet.js';

// Words of the demo catalogue's titles and descriptions, and '' for a browse of everything free.
const SEARCHES = ['camera', 'drone', 'bike', 'tent', 'speaker', 'power', ''];

export const MARKET_ENDPOINTS = {
  'GET /api/market/products': READ,
  'GET /api/market/quote': READ,
  'POST /api/market/checkout': WRITE,
  'POST /api/market/orders/{id}/cancel': WRITE,
};

export const options = flowOptions('market', 50, Object.assign({}, TOPUP_ENDPOINTS, MARKET_ENDPOINTS));

export function setup() {
  return { seed: runSeed() };
}

const DAY = 24 * 3600 * 1000;
const TOPUP_MAX = 100000;

export function market(data) {
  const r = rng(data.seed);
  const think = () => sleep(between(r, THINK[0], THINK[1]));
  // A period a few days to weeks ahead, whole days (UTC midnight).
  const startDay = Math.floor(Date.now() / DAY) + intBetween(r, 3, 30);
  const start = new Date(startDay * DAY).toISOString();
  const end = new Date((startDay + intBetween(r, 1, 4)) * DAY).toISOString();

  const search = (q) =>
    rest(
      'GET',
      `/api/market/products${query({ q: q || undefined, available_from: start, available_to: end, limit: 20 })}`,
      {
        name: 'GET /api/market/products',
      },
    ).data;
  const found = search(pick(r, SEARCHES));
  // A search whose words match nothing free in that period is a fair answer, not a failure: the
  // user then browses everything free instead.
  const answered = check(found, { 'market search answered': (f) => !!f && Array.isArray(f.results) });
  if (!answered) return;
  const products = found.results.length > 0 ? found.results : search('').results;
  if (!check(products, { 'market browse found products': (p) => p.length > 0 })) return;
  think();
  const product = pick(r, products);
  const quote = rest('GET', `/api/market/quote${query({ product_id: product.id, start, end })}`, {
    name: 'GET /api/market/quote',
  }).data;
  if (!check(quote, { 'quote has an integer total': (q) => !!q && Number.isInteger(q.total) })) return;
  if (!quote.available) return;
  think();

  const { token } = vuSession(userPhone(data.seed));
  const wallet = rest('GET', '/api/user/wallet', { token }).data;
  // One sandbox top-up is at most the card method's limit (100,000 minor units): a dear rental is
  // paid from several, as a user with a per-payment limit would.
  let missing = wallet ? quote.total - wallet.wallet.available.amount : 0;
  for (let i = 0; missing > 0 && i < 4; i++) {
    const amount = Math.min(missing + 1000, TOPUP_MAX);
    if (!topUp(r, token, amount)) return;
    missing -= amount;
  }
  if (missing > 0) return;
  const order = rest('POST', '/api/market/checkout', {
    body: {
      product_id: product.id,
      start,
      end,
      quantity: 1,
      payment_mode: 'wallet',
      idempotency_key: `k6-market-${data.seed}-${__VU}-${__ITER}`,
    },
    token,
    kind: 'write',
    // 409: another VU took the last free item for the period between quote and checkout.
    expect: [200, 409],
  }).data;
  if (!order) return;
  check(order, { 'order confirmed': (o) => o.status === 'confirmed' });
  think();
  rest('POST', `/api/market/orders/${order.id}/cancel`, {
    body: {},
    token,
    kind: 'write',
    name: 'POST /api/market/orders/{id}/cancel',
  });
}

export default market;
export const handleSummary = summaryHandler('market');
