// The browse and wallet reads through /trpc, as a client without the TypeScript packages calls
// them: superjson `{ json, meta }` inputs and outputs by hand (Dates included), single calls and
// `?batch=1` batches. The app's start screen is one batch, the wallet screen another.
//   k6 run -e SCENARIO=smoke loadtests/k6/trpc.js       (see README.md)

import { check, sleep } from 'k6';
import { CITIES, THINK } from './lib/config.js';
import { warmUp } from './lib/http.js';
import { between, pick, pointIn, rng, runSeed, userPhone } from './lib/random.js';
import { CACHED, flowOptions, READ } from './lib/scenarios.js';
import { vuSession } from './lib/session.js';
import { summaryHandler } from './lib/summary.js';
import { trpcBatch, trpcQuery } from './lib/trpc.js';

const START_SCREEN = ['app.version', 'content.banners', 'content.countries', 'payment.packages'];
const WALLET_SCREEN = ['wallet.wallet', 'wallet.transactions', 'wallet.pointsSummary'];

export const TRPC_ENDPOINTS = {
  [`trpc ${START_SCREEN.join('+')}`]: CACHED,
  'trpc stations.nearby': CACHED,
  'trpc stations.bySn': CACHED,
  [`trpc ${WALLET_SCREEN.join('+')}`]: READ,
  'trpc wallet.pointsHistory': READ,
};

export const options = flowOptions('trpcFlow', 100, TRPC_ENDPOINTS);

export function setup() {
  warmUp(CITIES);
  return { seed: runSeed() };
}

export function trpcFlow(data) {
  const r = rng(data.seed);
  const think = () => sleep(between(r, THINK[0], THINK[1]));
  const start = trpcBatch([
    ['app.version', { platform: pick(r, ['ios', 'android']) }],
    ['content.banners', {}],
    ['content.countries', {}],
    ['payment.packages', {}],
  ]);
  check(start, {
    'start screen: a package with an integer price': (a) =>
      a[3].ok && Number.isInteger(a[3].data.results[0].price.amount),
  });
  think();
  const { lat, lng } = pointIn(r, CITIES);
  const nearby = trpcQuery(
    'stations.nearby',
    { lat: Number(lat), lng: Number(lng), radius: 3000 },
    { kind: 'cached' },
  );
  const stations = nearby.ok ? nearby.data.results : [];
  if (stations.length) trpcQuery('stations.bySn', { sn: pick(r, stations).sn }, { kind: 'cached' });
  think();

  const { token } = vuSession(userPhone(data.seed));
  // A Date input: superjson sends it as text with meta.values naming it a Date.
  const monthAgo = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  const wallet = trpcBatch(
    [
      ['wallet.wallet', {}],
      ['wallet.transactions', { page_size: 20, from: monthAgo }],
      ['wallet.pointsSummary', {}],
    ],
    { token },
  );
  check(wallet, {
    'wallet: an integer balance': (a) => a[0].ok && Number.isInteger(a[0].data.wallet.balance.amount),
  });
  const history = trpcQuery('wallet.pointsHistory', { page_size: 20 }, { token });
  check(history, {
    'points history: dates decoded from superjson': (h) =>
      h.ok && h.data.results.every((e) => e.created_at === undefined || e.created_at instanceof Date),
  });
  think();
}

export default trpcFlow;
export const handleSummary = summaryHandler('trpc');
