import { AppConfig, StationAmenity } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';
import { aStation, northOf } from './station.builders.ts';

// Stations north of a point, at known distances; the far one is outside the default radius.
const ORIGIN = { lat: 27.7, lng: 85.3 };

describe('station discovery', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await createTestApi();
    const em = api.deps.orm.em.fork();
    const wifi = em.create(StationAmenity, { code: 'wifi', name: 'Wi-Fi' });
    const seats = em.create(StationAmenity, { code: 'seating', name: 'Seating' });
    // Listed by name: Alpha, Bravo, Charlie, Delta, Echo (+ hidden ones).
    aStation(em, {
      sn: 'NEAR-300',
      name: 'Charlie Cafe',
      lat: northOf(ORIGIN.lat, 300),
      lng: ORIGIN.lng,
      city: 'Kathmandu',
      imageUrl: 'https://cdn.example.com/charlie.jpg',
      amenities: [wifi, seats],
      slots: [
        { status: 'ready', battery: 95 },
        { status: 'ready', battery: 20 }, // exactly the minimum: available
        { status: 'ready', battery: 19 }, // below it: not available
        { status: 'charging', battery: 10 },
        { status: 'empty' },
        { status: 'empty' },
        { status: 'faulty' },
      ],
    });
    aStation(em, {
      sn: 'NEAR-100',
      name: 'Alpha Mall',
      lat: northOf(ORIGIN.lat, 100),
      lng: ORIGIN.lng,
      city: 'Kathmandu',
      slots: [{ status: 'empty' }, { status: 'empty' }],
    });
    aStation(em, {
      sn: 'NEAR-1500',
      name: 'Bravo 100%_match',
      lat: northOf(ORIGIN.lat, 1500),
      lng: ORIGIN.lng,
      city: 'Lalitpur',
      status: 'offline',
    });
    aStation(em, { sn: 'FAR-3000', name: 'Delta Depot', lat: northOf(ORIGIN.lat, 3000), lng: ORIGIN.lng });
    aStation(em, { sn: 'FAR-9000', name: 'Echo Park', lat: northOf(ORIGIN.lat, 9000), lng: ORIGIN.lng });
    aStation(em, {
      sn: 'HIDDEN-1',
      name: 'Private lounge',
      lat: ORIGIN.lat,
      lng: ORIGIN.lng,
      isPublic: false,
    });
    aStation(em, {
      sn: 'GONE-1',
      name: 'Old one',
      lat: ORIGIN.lat,
      lng: ORIGIN.lng,
      status: 'decommissioned',
    });
    await em.flush();
  });
  afterAll(() => api.close());

  it('nearby: within the radius only, nearest first, with distances and counts', async () => {
    const res = await api.rest('GET', `/api/app/stations/nearby?lat=${ORIGIN.lat}&lng=${ORIGIN.lng}`);
    expect(res.status).toBe(200);
    const results = res.body.data.results as { sn: string; distanceM: number }[];
    expect(results.map((s) => s.sn)).toEqual(['NEAR-100', 'NEAR-300', 'NEAR-1500']);
    expect(results.map((s) => s.distanceM)).toEqual([100, 300, 1500]);
    expect(res.body.data.results[1]).toMatchObject({
      availablePowerBanks: 2,
      freeSlots: 2,
      slotCount: 7,
      imageUrl: 'https://cdn.example.com/charlie.jpg',
      amenityCodes: ['seating', 'wifi'],
    });
    expect(res.body.data.pagination).toEqual({
      page: 1,
      page_size: 20,
      total_count: 3,
      total_pages: 1,
      has_next: false,
    });

    const wide = await api.rest(
      'GET',
      `/api/app/stations/nearby?lat=${ORIGIN.lat}&lng=${ORIGIN.lng}&radius=10000`,
    );
    expect(wide.body.data.results.map((s: { sn: string }) => s.sn)).toEqual([
      'NEAR-100',
      'NEAR-300',
      'NEAR-1500',
      'FAR-3000',
      'FAR-9000',
    ]);
    // The exact circle, not the index's bounding box: 299 m leaves out the station at 300 m.
    const tight = await api.rest(
      'GET',
      `/api/app/stations/nearby?lat=${ORIGIN.lat}&lng=${ORIGIN.lng}&radius=299`,
    );
    expect(tight.body.data.results.map((s: { sn: string }) => s.sn)).toEqual(['NEAR-100']);
  });

  it('nearby: available_only keeps stations that can rent now; pages past the end still count', async () => {
    const res = await api.rest(
      'GET',
      `/api/app/stations/nearby?lat=${ORIGIN.lat}&lng=${ORIGIN.lng}&radius=10000&available_only=true`,
    );
    expect(res.body.data.results.map((s: { sn: string }) => s.sn)).toEqual([
      'NEAR-300',
      'FAR-3000',
      'FAR-9000',
    ]);
    const off = await api.rest(
      'GET',
      `/api/app/stations/nearby?lat=${ORIGIN.lat}&lng=${ORIGIN.lng}&radius=10000&available_only=false`,
    );
    expect(off.body.data.pagination.total_count).toBe(5);

    const page2 = await api.rest(
      'GET',
      `/api/app/stations/nearby?lat=${ORIGIN.lat}&lng=${ORIGIN.lng}&radius=10000&page=2&page_size=2`,
    );
    expect(page2.body.data.results.map((s: { sn: string }) => s.sn)).toEqual(['NEAR-1500', 'FAR-3000']);
    expect(page2.body.data.pagination).toEqual({
      page: 2,
      page_size: 2,
      total_count: 5,
      total_pages: 3,
      has_next: true,
    });
    const beyond = await api.rest(
      'GET',
      `/api/app/stations/nearby?lat=${ORIGIN.lat}&lng=${ORIGIN.lng}&radius=10000&page=9&page_size=2`,
    );
    expect(beyond.body.data).toEqual({
      results: [],
      pagination: { page: 9, page_size: 2, total_count: 5, total_pages: 3, has_next: false },
    });
  });

  it('nearby follows stations written through the database layer: added, moved, decommissioned', async () => {
    // Far from the other fixtures. The first call builds this instance's geo index.
    const there = { lat: -33.86, lng: 151.2 };
    const nearby = async () => {
      const res = await api.rest(
        'GET',
        `/api/app/stations/nearby?lat=${there.lat}&lng=${there.lng}&radius=1000`,
      );
      return {
        sns: res.body.data.results.map((s: { sn: string }) => s.sn),
        total: res.body.data.pagination.total_count,
      };
    };
    expect(await nearby()).toEqual({ sns: [], total: 0 });

    const em = api.deps.orm.em.fork();
    const kiosk = aStation(em, {
      sn: 'NEW-1',
      name: 'New kiosk',
      lat: northOf(there.lat, 200),
      lng: there.lng,
    });
    await em.flush();
    // The flush's invalidation reaches the index over NATS (the cache's TTL is minutes).
    await expect.poll(nearby).toEqual({ sns: ['NEW-1'], total: 1 });

    kiosk.latitude = northOf(there.lat, 5_000);
    await em.flush();
    await expect.poll(nearby).toEqual({ sns: [], total: 0 });

    kiosk.latitude = northOf(there.lat, 400);
    await em.flush();
    await expect.poll(nearby).toEqual({ sns: ['NEW-1'], total: 1 });
    kiosk.status = 'decommissioned';
    await em.flush();
    // Listing is checked again on the live row, so it leaves the page even before the index hears of it.
    expect((await nearby()).sns).toEqual([]);
    await expect.poll(nearby).toEqual({ sns: [], total: 0 });
  });

  it('the station table keeps a GiST geo index (earth_box) for radius queries in SQL', async () => {
    // Seven rows would be scanned anyway; with scans priced out, the index must be usable at all.
    const plan = await api.deps.orm.em.fork().transactional(async (em) => {
      const conn = em.getConnection();
      const trx = em.getTransactionContext();
      await conn.execute('set local enable_seqscan = off', [], 'run', trx);
      return conn.execute(
        `explain select id from station s
         where earth_box(ll_to_earth(27.7, 85.3), 2000) @> ll_to_earth(s.latitude, s.longitude)`,
        [],
        'all',
        trx,
      );
    });
    expect(JSON.stringify(plan)).toContain('station_earth_gist');
  });

  it('list: filters, search (literal), ordering and the pagination envelope', async () => {
    const all = await api.rest('GET', '/api/app/stations?page_size=2');
    expect(all.status).toBe(200);
    expect(all.body.data.results.map((s: { name: string }) => s.name)).toEqual([
      'Alpha Mall',
      'Bravo 100%_match',
    ]);
    expect(all.body.data.pagination).toEqual({
      page: 1,
      page_size: 2,
      total_count: 5,
      total_pages: 3,
      has_next: true,
    });

    const sns = async (query: string) =>
      (await api.rest('GET', `/api/app/stations?${query}`)).body.data.results.map(
        (s: { sn: string }) => s.sn,
      );
    expect(await sns('city=kathmandu')).toEqual(['NEAR-100', 'NEAR-300']);
    expect(await sns('status=offline')).toEqual(['NEAR-1500']);
    expect(await sns('available_only=true')).toEqual(['NEAR-300', 'FAR-3000', 'FAR-9000']);
    expect(await sns('search=CAFE')).toEqual(['NEAR-300']);
    expect(await sns('search=100%25_')).toEqual(['NEAR-1500']);
    expect(await sns('search=%25')).toEqual(['NEAR-1500']);
    expect(await sns('search=lounge')).toEqual([]);
  });

  it('detail: slots with status and battery, counts, media, amenities; 404 for unknown or decommissioned', async () => {
    const res = await api.rest('GET', '/api/app/stations/NEAR-300');
    expect(res.status).toBe(200);
    const station = res.body.data;
    expect(station).toMatchObject({
      sn: 'NEAR-300',
      name: 'Charlie Cafe',
      status: 'online',
      availablePowerBanks: 2,
      freeSlots: 2,
      media: [{ type: 'image', url: 'https://cdn.example.com/charlie.jpg', isPrimary: true }],
      amenities: [
        { code: 'seating', name: 'Seating', icon: null, note: null },
        { code: 'wifi', name: 'Wi-Fi', icon: null, note: null },
      ],
    });
    expect(
      station.slots.map((s: { slotIndex: number; status: string; batteryLevel: number | null }) => [
        s.slotIndex,
        s.status,
        s.batteryLevel,
      ]),
    ).toEqual([
      [1, 'ready', 95],
      [2, 'ready', 20],
      [3, 'ready', 19],
      [4, 'charging', 10],
      [5, 'empty', null],
      [6, 'empty', null],
      [7, 'faulty', null],
    ]);
    expect(station.slots[0].powerBank).toEqual({ model: 'PB-5000', capacityMah: 5000 });
    expect(station.slots[4].powerBank).toBeNull();

    // A private station answers by its serial number (printed on it); a decommissioned one is gone.
    expect((await api.rest('GET', '/api/app/stations/HIDDEN-1')).status).toBe(200);
    for (const sn of ['NOPE-1', 'GONE-1']) {
      const missing = await api.rest('GET', `/api/app/stations/${sn}`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('the rental minimum battery comes from AppConfig', async () => {
    const em = api.deps.orm.em.fork();
    em.create(AppConfig, { key: 'rental_min_battery_pct', value: 50 });
    await em.flush();
    await expect
      .poll(async () => (await api.rest('GET', '/api/app/stations/NEAR-300')).body.data.availablePowerBanks, {
        timeout: 5_000,
      })
      .toBe(1);
    const row = await em.findOneOrFail(AppConfig, { key: 'rental_min_battery_pct' });
    row.value = 20;
    await em.flush();
    await expect
      .poll(async () => (await api.rest('GET', '/api/app/stations/NEAR-300')).body.data.availablePowerBanks, {
        timeout: 5_000,
      })
      .toBe(2);
  });

  it.each([
    ['/api/app/stations/nearby?lat=91&lng=85.3', 'lat'],
    ['/api/app/stations/nearby?lat=abc&lng=85.3', 'lat'],
    ['/api/app/stations/nearby?lat=27.7&lng=-181', 'lng'],
    ['/api/app/stations/nearby?lat=27.7', 'lng'],
    ['/api/app/stations/nearby?lat=27.7&lng=85.3&radius=50001', 'radius'],
    ['/api/app/stations?page_size=101', 'page_size'],
    ['/api/app/stations?page=0', 'page'],
    ['/api/app/stations?available_only=maybe', 'available_only'],
    ['/api/app/stations?status=decommissioned', 'status'],
    ['/api/app/stations?surprise=1', ''],
    ["/api/app/stations/x';drop%20table%20station;--", 'sn'],
  ])('refuses %s with a 400 naming the field', async (path, field) => {
    const res = await api.rest('GET', path);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
    const paths = res.body.error.details.fields.map((f: { path: string }) => f.path);
    expect(paths).toContain(field);
  });
  it('detail: answered from memory while the station is unchanged, read again once a row of it is written', async () => {
    const em = api.deps.orm.em.fork();
    // Unlisted, far from the other fixtures: no other test sees it.
    aStation(em, {
      sn: 'DETAIL-1',
      lat: -40,
      lng: 170,
      isPublic: false,
      slots: [{ status: 'ready', battery: 90 }, { status: 'empty' }],
    });
    await em.flush();
    const detail = async () => (await api.rest('GET', '/api/app/stations/DETAIL-1')).body.data;
    // Once the directory has the new station, its page is kept for its entry.
    await expect.poll(async () => (await detail()).description).toBeNull();
    await expect.poll(async () => (await detail()).availablePowerBanks).toBe(1);

    // Behind the cache's back (updated_at unchanged, so no change query sees it): the kept page stays.
    const sql = (query: string) => api.deps.orm.em.fork().execute(query);
    await sql(`update station set description = 'Behind the cache' where serial_number = 'DETAIL-1'`);
    for (let i = 0; i < 3; i++) expect((await detail()).description).toBeNull();

    // A slot written as station-core writes it: the directory re-reads the station, the page follows.
    await sql(
      `update station_slot set status = 'empty', power_bank_id = null, battery_level = null, updated_at = now()
       where station_id = (select id from station where serial_number = 'DETAIL-1') and status = 'ready'`,
    );
    await expect
      .poll(async () => {
        const page = await detail();
        return [
          page.description,
          page.availablePowerBanks,
          page.slots.map((s: { status: string }) => s.status),
        ];
      })
      .toEqual(['Behind the cache', 0, ['empty', 'empty']]);
  });
});
