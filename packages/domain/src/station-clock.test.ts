import { describe, expect, it } from 'vitest';
import { type LateFeePolicy, settleRental } from './rental-settlement.ts';
import { STATION_CLOCK_MAX_SKEW_MS, stationEventTime } from './station-clock.ts';

const MINUTE = 60_000;
const policy: LateFeePolicy = { graceMinutes: 0, multiplier: 2, hourlyFlat: 0, dailyCap: 100_000 };
const startedAt = new Date('2026-01-01T10:00:00Z');
const dueAt = new Date(startedAt.getTime() + 60 * MINUTE);

/** A prepaid hour at 10 a minute, returned at `returnedAt`: what is charged at the return. */
const chargeAt = (returnedAt: number) =>
  settleRental({
    paymentModel: 'prepaid',
    startedAt,
    dueAt,
    returnedAt: new Date(returnedAt),
    perMinuteRate: 10,
    alreadyPaid: 600,
    priceCap: 100_000,
    policy,
  }).total;

describe('stationEventTime: the station clock, bounded by the receive time', () => {
  const receivedAt = dueAt.getTime() + 30 * MINUTE;

  it('takes the station time within the bound', () => {
    expect(stationEventTime(receivedAt - 10 * MINUTE, receivedAt)).toBe(receivedAt - 10 * MINUTE);
    expect(stationEventTime(receivedAt, receivedAt)).toBe(receivedAt);
    expect(stationEventTime(receivedAt - STATION_CLOCK_MAX_SKEW_MS, receivedAt)).toBe(
      receivedAt - STATION_CLOCK_MAX_SKEW_MS,
    );
  });

  it('a station clock in the future cannot inflate the charge beyond what the receive time gives', () => {
    const honest = chargeAt(stationEventTime(receivedAt, receivedAt));
    for (const ahead of [1, 60 * MINUTE, 365 * 24 * 60 * MINUTE]) {
      expect(stationEventTime(receivedAt + ahead, receivedAt)).toBe(receivedAt);
      expect(chargeAt(stationEventTime(receivedAt + ahead, receivedAt))).toBe(honest);
    }
  });

  it('a station clock in the past cannot reduce the charge below what the bound allows', () => {
    // 30 minutes overdue when received; a clock claiming the return was on time earns at most the skew.
    const floor = chargeAt(receivedAt - STATION_CLOCK_MAX_SKEW_MS);
    expect(floor).toBeGreaterThan(0);
    for (const behind of [STATION_CLOCK_MAX_SKEW_MS + 1, 30 * MINUTE, 24 * 60 * MINUTE, receivedAt]) {
      expect(stationEventTime(receivedAt - behind, receivedAt)).toBe(receivedAt - STATION_CLOCK_MAX_SKEW_MS);
      expect(chargeAt(stationEventTime(receivedAt - behind, receivedAt))).toBe(floor);
    }
  });

  it('takes a smaller bound when given one', () => {
    expect(stationEventTime(receivedAt - 10 * MINUTE, receivedAt, MINUTE)).toBe(receivedAt - MINUTE);
  });
});
