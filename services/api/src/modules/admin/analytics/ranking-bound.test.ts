import { describe, expect, it } from 'vitest';
import { type ListRead, pageIsExact, unseenBound } from './ranking-bound.ts';

const page = (...amounts: number[]) => amounts.map((amount) => ({ amount }));

describe('unseenBound', () => {
  it('sums the last amount read of each list read to its depth', () => {
    expect(
      unseenBound(
        [
          { listed: 200, least: 7_000 },
          { listed: 200, least: 5_500 },
        ],
        200,
      ),
    ).toBe(12_500);
  });

  it('counts nothing for a list read whole: no station of that period is unseen', () => {
    expect(
      unseenBound(
        [
          { listed: 200, least: 7_000 },
          { listed: 37, least: 300 },
        ],
        200,
      ),
    ).toBe(7_000);
    expect(unseenBound([], 200)).toBe(0);
  });
});

describe('pageIsExact', () => {
  const full: ListRead[] = [
    { listed: 4, least: 1_000 },
    { listed: 4, least: 2_000 },
  ];

  it('accepts a full page whose last station has more than the bound', () => {
    expect(pageIsExact({ lists: full, depth: 4, alone: false }, page(9_000, 5_000, 3_001), 3)).toBe(true);
  });

  it('refuses a last station with as much as the bound: an unseen one could tie and come first', () => {
    expect(pageIsExact({ lists: full, depth: 4, alone: false }, page(9_000, 5_000, 3_000), 3)).toBe(false);
    expect(pageIsExact({ lists: full, depth: 4, alone: false }, page(9_000, 5_000, 2_999), 3)).toBe(false);
  });

  it('refuses a short page while any list was cut: unseen stations may fill it', () => {
    expect(pageIsExact({ lists: full, depth: 4, alone: false }, page(90_000), 3)).toBe(false);
    expect(pageIsExact({ lists: full, depth: 4, alone: false }, page(), 3)).toBe(false);
  });

  it('accepts any page once every list was read whole, an empty one included', () => {
    const whole = [
      { listed: 3, least: 1_000 },
      { listed: 0, least: 0 },
    ];
    expect(pageIsExact({ lists: whole, depth: 4, alone: false }, page(10, 5), 3)).toBe(true);
    expect(pageIsExact({ lists: [], depth: 4, alone: false }, page(), 3)).toBe(true);
  });

  it('takes a one-period range list read `limit` deep as the page, ties included', () => {
    const list = [{ listed: 3, least: 3_000 }];
    expect(pageIsExact({ lists: list, depth: 3, alone: true }, page(9_000, 3_000, 3_000), 3)).toBe(true);
    const shallow = [{ listed: 2, least: 3_000 }];
    expect(pageIsExact({ lists: shallow, depth: 2, alone: true }, page(9_000, 3_000), 3)).toBe(false);
  });
});
