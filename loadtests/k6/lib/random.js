// Random but reproducible data: every VU draws from its own generator, seeded by -e SEED=
// (default: the run's start second, printed by setup) and the VU's number, so a run with the
// same SEED asks for the same things in the same order.

/** mulberry32: small, fast, good enough to pick test data (not for anything secret). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The run's seed: -e SEED, else now (in seconds). Call in setup() and pass it on: VUs share it. */
export function runSeed() {
  const seed = __ENV.SEED ? Number(__ENV.SEED) : Math.floor(Date.now() / 1000) % 1000000;
  console.log(`SEED=${seed} (repeat the run's data with -e SEED=${seed})`);
  return seed;
}

let generator = null;
let generatorSeed = null;

/** This VU's generator for the run's seed. */
export function rng(seed) {
  if (generator === null || generatorSeed !== seed) {
    generator = mulberry32(seed * 100003 + __VU);
    generatorSeed = seed;
  }
  return generator;
}

export const between = (r, min, max) => min + r() * (max - min);
export const intBetween = (r, min, max) => Math.floor(between(r, min, max + 1));
export const pick = (r, items) => items[Math.floor(r() * items.length)];

/** A random point around one of the data set's cities. */
export function pointIn(r, cities) {
  const [lat, lng, spread] = pick(r, cities);
  return {
    lat: (lat + (r() - 0.5) * 2 * spread).toFixed(5),
    lng: (lng + (r() - 0.5) * 2 * spread).toFixed(5),
  };
}

/**
 * The reserved load-test phones (+1 555 010 0000 – 9999, the api's LOADTEST_PHONES): the only
 * ones the load-test SMS provider hands codes for. 0000–4999: one signed-in user per VU;
 * 5000–9999: the auth flow's sign-ups, 20 per VU in turn (a phone may be texted once a minute).
 */
export function userPhone(seed) {
  return phoneAt((seed + __VU - 1) % 5000);
}
export function churnPhone(seed) {
  return phoneAt(5000 + ((seed + (__VU - 1) * 20 + (__ITER % 20)) % 5000));
}
const phoneAt = (index) => `+1555010${String(index).padStart(4, '0')}`;
