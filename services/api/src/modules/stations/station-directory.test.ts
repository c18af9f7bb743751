import { describe, expect, it } from 'vitest';
import { JsonDate } from '../../platform/json-date.ts';
import { northOf } from './station.builders.ts';
import { type DirectoryStation, nearbyJson, StationDirectory } from './station-directory.ts';

const ORIGIN = { lat: 27.7, lng: 85.3 };

function aStation(
  id: string,
  metersNorth: number,
  overrides: Partial<DirectoryStation> = {},
): DirectoryStation {
  return {
    id,
    sn: id.toUpperCase(),
    name: `Station ${id}`,
    address: 'Main St',
    city: null,
    latitude: northOf(ORIGIN.lat, metersNorth),
    longitude: ORIGIN.lng,
    status: 'online',
    slotCount: 4,
    lastHeartbeatAt: null,
    listed: true,
    readyBatteries: [90],
    freeSlots: 1,
    imageUrl: null,
    amenityCodes: [],
    ...overrides,
  };
}

const near = (
  directory: StationDirectory,
  query: Partial<Parameters<StationDirectory['nearby']>[0]> = {},
  offset = 0,
  limit = 20,
) => directory.nearby({ ...ORIGIN, radiusM: 2_000, minBattery: 20, ...query }, offset, limit);

describe('StationDirectory', () => {
  it('finds a station by serial number, listed or not, and follows a renamed one', () => {
    const directory = new StationDirectory([aStation('a', 100), aStation('hidden', 50, { listed: false })]);
    expect(directory.bySn('A')?.id).toBe('a');
    expect(directory.bySn('HIDDEN')?.id).toBe('hidden');
    const renamed = aStation('a', 100, { sn: 'A2' });
    directory.apply([renamed]);
    expect(directory.bySn('A')).toBeUndefined();
    expect(directory.bySn('A2')).toBe(renamed);
    // Two stations trading serial numbers in one batch: each name ends at its new owner.
    directory.apply([
      aStation('a', 100, { sn: 'HIDDEN' }),
      aStation('hidden', 50, { sn: 'A2', listed: false }),
    ]);
    expect(directory.bySn('HIDDEN')?.id).toBe('a');
    expect(directory.bySn('A2')?.id).toBe('hidden');
  });

  it('answers listed stations within the radius, nearest first, with rounded distances', () => {
    const directory = new StationDirectory([
      aStation('c', 1_500),
      aStation('a', 100),
      aStation('b', 300),
      aStation('far', 2_500),
      aStation('hidden', 50, { listed: false }),
    ]);
    const { results, total } = near(directory);
    expect(results.map((s) => [s.sn, s.distanceM])).toEqual([
      ['A', 100],
      ['B', 300],
      ['C', 1_500],
    ]);
    expect(total).toBe(3);
  });

  it('counts available power banks against the minimum given at read time', () => {
    const directory = new StationDirectory([aStation('a', 100, { readyBatteries: [95, 20, 19, 50] })]);
    expect(near(directory, { minBattery: 20 }).results[0]?.availablePowerBanks).toBe(3);
    expect(near(directory, { minBattery: 60 }).results[0]?.availablePowerBanks).toBe(1);
  });

  it('available_only keeps online stations with an available power bank, and counts only those', () => {
    const directory = new StationDirectory([
      aStation('ok', 100),
      aStation('low', 200, { readyBatteries: [10] }),
      aStation('none', 300, { readyBatteries: [] }),
      aStation('offline', 400, { status: 'offline' }),
      aStation('ok2', 500),
    ]);
    const { results, total } = near(directory, { availableOnly: true });
    expect(results.map((s) => s.sn)).toEqual(['OK', 'OK2']);
    expect(total).toBe(2);
  });

  it('pages: the total covers every hit, the summaries only the page', () => {
    const directory = new StationDirectory([100, 200, 300, 400, 500].map((m) => aStation(`s${m}`, m)));
    expect(near(directory, {}, 2, 2)).toMatchObject({ total: 5, results: [{ sn: 'S300' }, { sn: 'S400' }] });
    expect(near(directory, {}, 10, 2)).toEqual({ total: 5, results: [] });
  });

  it('applies changes: state at once, and a station moved, added or delisted in the next search', () => {
    const directory = new StationDirectory([aStation('a', 100), aStation('b', 300)]);
    expect(near(directory).total).toBe(2); // builds the geo index

    directory.apply([aStation('a', 100, { readyBatteries: [], freeSlots: 4, status: 'offline' })]);
    expect(near(directory).results[0]).toMatchObject({
      sn: 'A',
      availablePowerBanks: 0,
      freeSlots: 4,
      status: 'offline',
    });

    directory.apply([aStation('a', 5_000), aStation('new', 50)]);
    expect(near(directory).results.map((s) => s.sn)).toEqual(['NEW', 'B']);

    directory.apply([aStation('b', 300, { listed: false })]);
    expect(near(directory).results.map((s) => s.sn)).toEqual(['NEW']);
    directory.apply([aStation('b', 300)]);
    expect(near(directory).results.map((s) => s.sn)).toEqual(['NEW', 'B']);
  });

  it('deep pages (sorted once) and shallow pages (kept in order) agree, ties broken by id', () => {
    // 600 stations on 300 distinct distances: every distance is shared by two ids.
    const stations = Array.from({ length: 600 }, (_, i) =>
      aStation(`s${String(599 - i).padStart(3, '0')}`, 5 + Math.floor(i / 2) * 5),
    );
    const directory = new StationDirectory(stations);
    const all = near(directory, { radiusM: 5_000 }, 0, 600).results.map((s) => s.sn);
    expect(all).toHaveLength(600);
    const paged = [0, 1, 2, 3, 4, 5].flatMap((page) =>
      near(directory, { radiusM: 5_000 }, page * 100, 100).results.map((s) => s.sn),
    );
    expect(paged).toEqual(all);
    expect(all.slice(0, 2)).toEqual(['S598', 'S599']);
  });
});

describe('nearbyJson', () => {
  const answerOf = (directory: StationDirectory, query: Parameters<typeof near>[1] = {}) => {
    const { results, total } = near(directory, query);
    return {
      results,
      pagination: { page: 1, page_size: 20, total_count: total, total_pages: 1, has_next: false },
    };
  };

  it('is exactly JSON.stringify of the answer, first time, from its kept text, and after changes', () => {
    const directory = new StationDirectory([
      aStation('a', 100, {
        name: 'Café "Ünïcode" \\ \u2028 station',
        city: 'Kathmandu',
        imageUrl: 'https://cdn.example/a.jpg',
        amenityCodes: ['wifi', 'café'],
        lastHeartbeatAt: new JsonDate('2026-11-30T10:00:00.123Z'),
        readyBatteries: [95, 19, 50],
      }),
      aStation('b', 300, { status: 'offline', latitude: -0.000001 + northOf(ORIGIN.lat, 300) }),
      aStation('c', 1_999),
    ]);
    const first = answerOf(directory);
    expect(nearbyJson(first)).toBe(JSON.stringify(first));
    // Another request: other distances, the same stations' kept text.
    const moved = answerOf(directory, { lat: northOf(ORIGIN.lat, 50) });
    expect(nearbyJson(moved)).toBe(JSON.stringify(moved));
    // A higher rental minimum changes the available count: new text for it.
    const stricter = answerOf(directory, { minBattery: 60 });
    expect(stricter.results[0]?.availablePowerBanks).toBe(1);
    expect(nearbyJson(stricter)).toBe(JSON.stringify(stricter));
    // A station changed: its entry is replaced, and so is its text.
    directory.apply([aStation('a', 100, { name: 'Renamed', readyBatteries: [] })]);
    const changed = answerOf(directory);
    expect(nearbyJson(changed)).toContain('"name":"Renamed"');
    expect(nearbyJson(changed)).toBe(JSON.stringify(changed));
  });

  it('serialises copies (the output check in tests makes them) and other shapes as JSON.stringify does', () => {
    const directory = new StationDirectory([aStation('a', 100), aStation('b', 200)]);
    const answer = answerOf(directory);
    const copied = { ...answer, results: answer.results.map((result) => ({ ...result })) };
    expect(nearbyJson(copied)).toBe(JSON.stringify(copied));
    const extra = { ...answer, note: 'x' };
    expect(nearbyJson(extra)).toBe(JSON.stringify(extra));
  });
});
