import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

type Observer = { observe(value: number): void };

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/** A registry per app instance (not the global one), so two apps in one test process do not clash. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, matched route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, httpDuration };
}

/**
 * Records one request's duration, reusing the labelled child per (method, route,
 * status): prom-client would otherwise hash the label object on every call.
 */
export function durationObserver(metrics: Metrics) {
  const children = new Map<string, Observer>();
  return (method: string, route: string, status: number, seconds: number): void => {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) {
      child = metrics.httpDuration.labels({ method, route, status: String(status) });
      children.set(key, child);
    }
    child.observe(seconds);
  };
}

/** The static response cache's entries and size, read when scraped (it is bounded: STATIC_RESPONSE_CACHE_MAX_BYTES). */
export function observeResponseCache(
  metrics: Metrics,
  cache: { responseStats: { entries: number; bytes: number } },
): void {
  for (const [name, help, field] of [
    ['static_response_cache_entries', 'REST answers kept by the static response cache', 'entries'],
    ['static_response_cache_bytes', 'Size of the REST answers kept, as counted against its bound', 'bytes'],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(cache.responseStats[field]);
      },
    });
  }
}

/** The live SSE streams: open connections, and frames written and connections dropped since start. */
export function observeLiveSse(
  metrics: Metrics,
  connections: { size: number; stats: { framesWritten: number; dropped: number } },
): void {
  new Gauge({
    name: 'live_sse_connections',
    help: 'Open live SSE streams (admin.live.*)',
    registers: [metrics.registry],
    collect() {
      this.set(connections.size);
    },
  });
  for (const [name, help, field] of [
    [
      'live_sse_frames_written_total',
      'SSE frames written to live streams (one per tick per stream, pings, returns)',
      'framesWritten',
    ],
    [
      'live_sse_dropped_total',
      'Live streams dropped for not reading (their clients reconnect and resume)',
      'dropped',
    ],
  ] as const) {
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [metrics.registry],
      // Counted by the connections as plain numbers (a write is the hot path), brought up to date when scraped.
      collect() {
        this.inc(connections.stats[field] - reported);
        reported = connections.stats[field];
      },
    });
  }
}
