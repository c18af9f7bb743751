// handleSummary for every script: the full summary as JSON under .data/k6/ (what
// docs/benchmarks.md quotes), and a short text summary on stdout: each flow's (day.js), each
// kind's and each endpoint's latency, then the checks and the thresholds that failed.

import { SCENARIO } from './scenarios.js';

export function summaryHandler(flow) {
  return (data) => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const dir = __ENV.SUMMARY_DIR || '.data/k6';
    return {
      [`${dir}/${flow}-${SCENARIO}-${stamp}.json`]: JSON.stringify(data, null, 1),
      stdout: textSummary(flow, data),
    };
  };
}

const ms = (v) => (v === undefined ? '-' : `${v.toFixed(1)}ms`);

function textSummary(flow, data) {
  const lines = [`\n${flow} (${SCENARIO})`];
  const metrics = data.metrics;
  const failedThresholds = [];
  for (const name of Object.keys(metrics).sort()) {
    const metric = metrics[name];
    const v = metric.values;
    if (/^http_req_duration\{(name|kind|scenario):/.test(name)) {
      const count = metrics[`http_reqs${name.slice(17)}`];
      lines.push(
        `  ${name.slice(18, -1).padEnd(58)} n=${String(count ? count.values.count : '').padEnd(7)} p95=${ms(v['p(95)']).padEnd(9)} p99=${ms(v['p(99)']).padEnd(9)} max=${ms(v.max)}`,
      );
    }
    for (const t of Object.keys(metric.thresholds || {}))
      if (!metric.thresholds[t].ok) failedThresholds.push(`${name} ${t}`);
  }
  const m = (name) => metrics[name] && metrics[name].values;
  const reqs = m('http_reqs');
  const failed = m('http_req_failed');
  const checks = m('checks');
  const all = m('http_req_duration');
  lines.push(
    `  all requests: ${reqs ? reqs.count : 0} (${reqs ? reqs.rate.toFixed(1) : 0}/s), failed ${failed ? (failed.rate * 100).toFixed(3) : 0}%, p95 ${ms(all && all['p(95)'])}, p99 ${ms(all && all['p(99)'])}`,
    `  checks: ${checks ? `${checks.passes} passed, ${checks.fails} failed` : 'none'}`,
  );
  const failedChecks = [];
  const walk = (group) => {
    for (const c of group.checks || []) if (c.fails > 0) failedChecks.push(`${c.name}: ${c.fails} failed`);
    for (const g of group.groups || []) walk(g);
  };
  walk(data.root_group);
  for (const c of failedChecks) lines.push(`    ✗ ${c}`);
  lines.push(
    failedThresholds.length
      ? `  THRESHOLDS FAILED:\n${failedThresholds.map((t) => `    ✗ ${t}`).join('\n')}`
      : '  thresholds: all passed',
  );
  return `${lines.join('\n')}\n`;
}
