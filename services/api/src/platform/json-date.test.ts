import { describe, expect, it } from 'vitest';
import { JsonDate } from './json-date.ts';

describe('JsonDate', () => {
  it('serialises like a Date, as JSON and through superjson-style instanceof checks', () => {
    const at = '2026-11-30T10:15:00.123Z';
    const date = new JsonDate(at);
    expect(date).toBeInstanceOf(Date);
    expect(JSON.stringify({ at: date })).toBe(JSON.stringify({ at: new Date(at) }));
    expect(JSON.stringify([date, date])).toBe(`["${at}","${at}"]`);
    expect(date.getTime()).toBe(Date.parse(at));
  });

  it('an invalid date is null in JSON, as with Date', () => {
    expect(JSON.stringify({ at: new JsonDate('not a date') })).toBe('{"at":null}');
  });
});
