import { readFileSync } from 'node:fs';
import { subjects } from '@powerbank/protocol';
import { adminQuery } from '@powerbank/testing';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoreHarness, startCoreHarness } from '../../../../station-core/src/testing/core-harness.ts';
import { aStation as aPrivateStation } from '../../testing/stations.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';
import { GBFS_FILES } from './gbfs-feed.ts';

let h: CoreHarness;
let api: TestApi;

beforeAll(async () => {
  h = await startCoreHarness();
  api = await createTestApi({ databaseUrl: h.db.db.url, env: { NATS_PREFIX: h.prefix } });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/**
 * A station online and public (GBFS lists public stations only), once the feed lists it: its
 * next event (a heartbeat) names a station the feed does not list, which reads the stations again.
 */
async function aStation(banks: { slot: number; battery: number }[]) {
  const station = await aPrivateStation(h, banks);
  await api.deps.orm.em
    .getConnection()
    .execute('update station set is_public = true, updated_at = now() where serial_number = ?', [station.sn]);
  await expect.poll(() => statusOf(station.sn), { timeout: 10_000 }).toBeDefined();
  return station;
}

/** MobilityData's v3.0 schemas (gbfs-json-schema, directory v3.0), shipped as fixtures. */
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validators = Object.fromEntries(
  GBFS_FILES.map((file) => [
    file,
    ajv.compile(
      JSON.parse(readFileSync(new URL(`fixtures/gbfs-v3.0/${file}.json`, import.meta.url), 'utf8')),
    ),
  ]),
);

const gbfs = (of: TestApi, file: string, headers: Record<string, string> = {}) =>
  of.fetch(`http://api.test/gbfs/v3/${file}.json`, { headers });
const json = async (of: TestApi, file: string) => (await (await gbfs(of, file)).json()) as any;
const statusOf = async (sn: string) =>
  (await json(api, 'station_status')).data.stations.find((s: { station_id: string }) => s.station_id === sn);

describe('GBFS v3.0 at /gbfs/v3, from memory, moved by station events', () => {
  it('every file validates against the v3.0 schema, with the stations and their counts', async () => {
    const { sn } = await aStation([
      { slot: 1, battery: 90 },
      { slot: 2, battery: 80 },
    ]);
    for (const file of GBFS_FILES) {
      const body = await json(api, file);
      const validate = validators[file]!;
      expect(validate(body), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const feeds = (await json(api, 'gbfs')).data.feeds.map((feed: { name: string }) => feed.name);
    expect(feeds.sort()).toEqual([...GBFS_FILES].sort());
    const info = (await json(api, 'station_information')).data.stations.find(
      (s: { station_id: string }) => s.station_id === sn,
    );
    expect(info).toMatchObject({ capacity: 4 });
    await expect
      .poll(() => statusOf(sn), { timeout: 10_000 })
      .toMatchObject({
        num_vehicles_available: 2,
        num_docks_available: 2,
        is_renting: true,
        is_returning: true,
      });
  });

  it('a station going offline shows in station_status.json within 1 s of its event', async () => {
    const { sn, sim } = await aStation([{ slot: 1, battery: 90 }]);
    await expect.poll(() => statusOf(sn), { timeout: 10_000 }).toMatchObject({ is_renting: true });
    const offline = new Promise<void>((resolve) => {
      const subscription = api.deps.nats.subscribe(subjects(h.prefix).coreEvent('station'), {
        callback: (_error, message) => {
          const event = message.json<{ sn: string; status: string }>();
          if (event.sn !== sn || event.status !== 'offline') return;
          subscription.unsubscribe();
          resolve();
        },
      });
    });
    await sim.goOffline(sn);
    await offline;
    await expect
      .poll(() => statusOf(sn), { timeout: 1000, interval: 20 })
      .toMatchObject({ is_renting: false, is_returning: false });
  });

  it('answers 304 to a current ETag or Last-Modified, and says how long to cache', async () => {
    const first = await gbfs(api, 'station_information');
    const etag = first.headers.get('etag') ?? '';
    const body = (await first.json()) as { ttl: number };
    expect(first.headers.get('cache-control')).toBe(`public, max-age=${body.ttl}`);
    expect((await gbfs(api, 'station_information', { 'if-none-match': etag })).status).toBe(304);
    expect((await gbfs(api, 'station_information', { 'if-none-match': '"other"' })).status).toBe(200);
    const lastModified = first.headers.get('last-modified') ?? '';
    expect((await gbfs(api, 'station_information', { 'if-modified-since': lastModified })).status).toBe(304);
    expect((await gbfs(api, 'nothing_here')).status).toBe(404);
  });
});

describe('GBFS readers and the database', () => {
  it('100 concurrent readers of every file run no query on Postgres', async () => {
    const alone = await createTestApi();
    try {
      // The first read loads the stations (the one query); readers after it are served from memory.
      for (const file of GBFS_FILES) expect((await gbfs(alone, file)).status).toBe(200);
      const database = new URL(alone.databaseUrl).pathname.slice(1);
      const queriesSince = async (since: string) =>
        Number(
          (
            await adminQuery(
              `select count(*) as n from pg_stat_activity where datname = '${database}' and query_start > '${since}'`,
            )
          ).rows[0].n,
        );
      const since = (await adminQuery('select now()::text as now')).rows[0].now as string;
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => gbfs(alone, GBFS_FILES[i % GBFS_FILES.length]!)),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(await queriesSince(since)).toBe(0);
      // The count sees the api's queries: one run now is counted.
      await alone.deps.orm.em.getConnection().execute('select 1');
      expect(await queriesSince(since)).toBeGreaterThan(0);
    } finally {
      await alone.close();
    }
  });
});
