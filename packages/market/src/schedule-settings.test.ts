import { describe, expect, it } from 'vitest';
import { SCHEDULE_DEFAULTS, slotProblem } from './schedule-settings.ts';

const NOW = Date.UTC(2026, 11, 1, 8, 0);
const at = (day: number, h: number, m = 0) => new Date(Date.UTC(2026, 11, day, h, m));

describe('slot rules', () => {
  it('within opening hours on a slot boundary, in the future', () => {
    expect(slotProblem(SCHEDULE_DEFAULTS, at(2, 9), NOW)).toBeNull();
    expect(slotProblem(SCHEDULE_DEFAULTS, at(2, 17, 30), NOW)).toBeNull();
  });
  it('refuses off-boundary, outside hours (the whole slot), and past slots', () => {
    expect(slotProblem(SCHEDULE_DEFAULTS, at(2, 9, 10), NOW)).toMatch(/every 30 minutes/);
    expect(slotProblem(SCHEDULE_DEFAULTS, at(2, 8, 30), NOW)).toMatch(/closed/);
    expect(slotProblem(SCHEDULE_DEFAULTS, at(2, 18), NOW)).toMatch(/closed/);
    expect(slotProblem({ ...SCHEDULE_DEFAULTS, slotMinutes: 60 }, at(2, 17, 30), NOW)).toMatch(/every 60/);
    expect(slotProblem(SCHEDULE_DEFAULTS, at(1, 7, 30), NOW)).toMatch(/passed/);
  });
  it('a weekday without hours is closed', () => {
    const weekdays = { ...SCHEDULE_DEFAULTS, hours: { '1': [540, 1080] as [number, number] } };
    // 2026-12-07 is a Monday, 2026-12-06 a Sunday.
    expect(slotProblem(weekdays, at(7, 10), NOW)).toBeNull();
    expect(slotProblem(weekdays, at(6, 10), NOW)).toMatch(/closed/);
  });
});
