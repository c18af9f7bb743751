// The five ways to run a flow, picked with -e SCENARIO= (default smoke):
//   smoke   1 VU for DURATION (30s): does every step work? 0 failed checks.
//   load    ramp to TARGET VUs in 1m, hold DURATION (5m), ramp down: the expected busy hour.
//   stress  ramp to TARGET, 2×, 3× (DURATION each, default 2m): where does it bend?
//   spike   TARGET×3 within 10s, hold DURATION (1m), drop: a rush (a stadium emptying).
//   soak    TARGET VUs for DURATION (1h; shorten with -e DURATION=10m): leaks, growing queues.
// -e VUS= overrides the flow's TARGET.

export const SCENARIO = __ENV.SCENARIO || 'smoke';

/**
 * `options.scenarios` for `exec` at `target` VUs under the chosen SCENARIO; `fixed`: the target
 * is final (day.js shares -e VUS out itself).
 */
export function scenarios(exec, target, fixed = false) {
  const vus = fixed ? target : Number(__ENV.VUS || target);
  const duration = (fallback) => __ENV.DURATION || fallback;
  const ramping = (stages) => ({
    executor: 'ramping-vus',
    exec,
    startVUs: 0,
    stages,
    gracefulRampDown: '30s',
  });
  switch (SCENARIO) {
    case 'smoke':
      return {
        smoke: { executor: 'constant-vus', exec, vus: Number(__ENV.VUS || 1), duration: duration('30s') },
      };
    case 'load':
      return {
        load: ramping([
          { duration: '1m', target: vus },
          { duration: duration('5m'), target: vus },
          { duration: '30s', target: 0 },
        ]),
      };
    case 'stress':
      return {
        stress: ramping([
          { duration: '1m', target: vus },
          { duration: duration('2m'), target: vus },
          { duration: '1m', target: vus * 2 },
          { duration: duration('2m'), target: vus * 2 },
          { duration: '1m', target: vus * 3 },
          { duration: duration('2m'), target: vus * 3 },
          { duration: '30s', target: 0 },
        ]),
      };
    case 'spike':
      return {
        spike: ramping([
          { duration: '10s', target: vus * 3 },
          { duration: duration('1m'), target: vus * 3 },
          { duration: '10s', target: 0 },
        ]),
      };
    case 'soak':
      return { soak: { executor: 'constant-vus', exec, vus, duration: duration('1h') } };
    default:
      throw new Error(`SCENARIO must be smoke, load, stress, spike or soak, not "${SCENARIO}"`);
  }
}

/**
 * Thresholds: per endpoint (`name` tag) p95/p99 latency, and for the whole run the failed
 * request rate and the checks. `endpoints`: { 'GET /api/app/countries': [p95, p99], … } in ms.
 */
export function thresholds(endpoints, { failed = 0.001, checks = 0.999 } = {}) {
  const out = {
    http_req_failed: [`rate<${failed}`],
    checks: [`rate>${checks}`],
  };
  for (const name of Object.keys(endpoints)) {
    const [p95, p99] = endpoints[name];
    out[`http_req_duration{name:${name}}`] = [`p(95)<${p95}`, `p(99)<${p99}`];
    // Always true: declared so the summary counts each endpoint's requests.
    out[`http_reqs{name:${name}}`] = ['count>=0'];
  }
  return out;
}

/** The latency targets: cached reads p95 < 50 ms, p99 < 200 ms; other reads and writes p95 < 250 ms. */
export const CACHED = [50, 200];
export const READ = [250, 500];
export const WRITE = [250, 1000];
/** Sign-in steps (a lock per phone, several rows each). */
export const SLOW_WRITE = [500, 1000];

/** A flow script's options: its scenarios at `target` VUs, thresholds per endpoint, the summary's stats. */
export function flowOptions(exec, target, endpoints) {
  return {
    scenarios: scenarios(exec, target),
    thresholds: thresholds(endpoints),
    summaryTrendStats: SUMMARY_STATS,
  };
}

export const SUMMARY_STATS = ['avg', 'med', 'p(95)', 'p(99)', 'max'];
