import { defineEntity, p } from '@mikro-orm/core';

const RateLimitCounterSchema = defineEntity({
  name: 'RateLimitCounter',
  properties: {
    /** Which limit and who is counted, e.g. `write:user:<id>` or `auth:ip:203.0.113.7`. */
    key: p.string().length(200).primary(),
    /** Requests counted in the current window. */
    hits: p.integer(),
    /** When the current window ends; the next hit after it starts a new window at 1. */
    resetAt: p.datetime(),
  },
  checks: [{ name: 'rate_limit_counter_hits_non_negative', expression: 'hits >= 0' }],
});

/**
 * Rate-limit counters shared by every api process and instance (a per-process
 * counter would let N instances take N times the configured limit). The table
 * is UNLOGGED: counters are cheap to lose in a crash, and skipping the WAL keeps
 * the one upsert per limited request light.
 */
export class RateLimitCounter extends RateLimitCounterSchema.class {}
RateLimitCounterSchema.setClass(RateLimitCounter);
