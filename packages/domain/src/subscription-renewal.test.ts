import { describe, expect, it } from 'vitest';
import { afterFailedRenewal, nextPeriod, planCovers } from './subscription-renewal.ts';

describe('afterFailedRenewal', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const policy = { attempts: 3, retryMinutes: 60 };
  it('retries after the wait until the last attempt, then lapses', () => {
    expect(afterFailedRenewal(0, policy, now)).toEqual({
      kind: 'retry',
      attempts: 1,
      nextAttemptAt: new Date('2026-12-01T01:00:00Z'),
    });
    expect(afterFailedRenewal(1, policy, now)).toMatchObject({ kind: 'retry', attempts: 2 });
    expect(afterFailedRenewal(2, policy, now)).toEqual({ kind: 'lapse', attempts: 3 });
  });
  it('one attempt (or a misconfigured zero) lapses at the first failure', () => {
    expect(afterFailedRenewal(0, { attempts: 1, retryMinutes: 60 }, now).kind).toBe('lapse');
    expect(afterFailedRenewal(0, { attempts: 0, retryMinutes: 60 }, now).kind).toBe('lapse');
  });
});

it('nextPeriod starts where the last ended and lasts the plan', () => {
  const end = new Date('2026-12-31T00:00:00Z');
  expect(nextPeriod(end, 30)).toEqual({ startsAt: end, endsAt: new Date('2027-01-30T00:00:00Z') });
});

it('planCovers: a product id, or its category or an ancestor by slug', () => {
  expect(planCovers(['cameras'], 'p1', ['electronics', 'cameras', 'drones'])).toBe(true);
  expect(planCovers(['p1'], 'p1', ['audio'])).toBe(true);
  expect(planCovers(['bikes'], 'p1', ['electronics', 'cameras'])).toBe(false);
  expect(planCovers([], 'p1', [])).toBe(false);
});
