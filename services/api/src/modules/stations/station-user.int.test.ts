import { createApiClient } from '@powerbank/api-client';
import { MediaUpload, User } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../platform/session.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';
import { aStation } from './station.builders.ts';

describe('favorites and issue reports (signed in)', () => {
  let api: TestApi;
  let alice: { token: string; uploadId: string };
  let bob: { token: string; uploadId: string };
  const as = (who: { token: string }) => ({ authorization: `Bearer ${who.token}` });

  beforeAll(async () => {
    api = await createTestApi();
    const em = api.deps.orm.em.fork();
    aStation(em, { sn: 'FAV-1', name: 'Alpha' });
    aStation(em, { sn: 'FAV-2', name: 'Bravo' });
    aStation(em, { sn: 'FAV-GONE', status: 'decommissioned' });
    const signUp = (name: string, phone: string) => {
      const user = em.create(User, { phone, fullName: name, referralCode: `REF${phone.slice(-6)}` });
      const upload = em.create(MediaUpload, {
        user,
        storageKey: `test/${phone}.jpg`,
        originalName: 'photo.jpg',
        mimeType: 'image/jpeg',
        sizeBytes: 1234,
        sha256: '0'.repeat(64),
      });
      const { token } = createSession(em, user, { ttlMs: 3_600_000, renewWithinMs: 0 });
      return { token, uploadId: upload.id };
    };
    alice = signUp('Alice', '+15550000001');
    bob = signUp('Bob', '+15550000002');
    await em.flush();
  });
  afterAll(() => api.close());

  it.each([
    ['POST', '/api/stations/FAV-1/favorite', {}],
    ['GET', '/api/stations/favorites', undefined],
    ['DELETE', '/api/stations/FAV-1/favorite', undefined],
    ['POST', '/api/stations/FAV-1/report-issue', { issueType: 'other', description: 'broken' }],
    ['GET', '/api/stations/my-reports', undefined],
    ['GET', '/api/stations/FAV-1/issues', undefined],
  ])('%s %s needs a valid session', async (method, path, body) => {
    for (const headers of [{}, { authorization: 'Bearer not-a-real-token' }] as Record<string, string>[]) {
      const res = await api.rest(method, path, body, headers);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, error: { code: 'UNAUTHENTICATED' } });
    }
  });

  it('adding a favorite is idempotent; each user sees and removes only their own', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await api.rest('POST', '/api/stations/FAV-1/favorite', {}, as(alice));
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ sn: 'FAV-1', favorite: true });
    }
    // Concurrent adds of the same favorite do not fail either.
    const both = await Promise.all([
      api.rest('POST', '/api/stations/FAV-2/favorite', {}, as(alice)),
      api.rest('POST', '/api/stations/FAV-2/favorite', {}, as(alice)),
    ]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);

    const mine = await api.rest('GET', '/api/stations/favorites', undefined, as(alice));
    expect(mine.body.data.results.map((s: { sn: string }) => s.sn)).toEqual(['FAV-2', 'FAV-1']);
    expect(mine.body.data.pagination.total_count).toBe(2);
    expect(mine.body.data.results[0]).toMatchObject({ availablePowerBanks: 1, freeSlots: 1 });

    // Bob sees none of them, and his delete does not touch Alice's.
    const bobs = await api.rest('GET', '/api/stations/favorites', undefined, as(bob));
    expect(bobs.body.data.results).toEqual([]);
    expect((await api.rest('DELETE', '/api/stations/FAV-1/favorite', undefined, as(bob))).status).toBe(200);
    const still = await api.rest('GET', '/api/stations/favorites', undefined, as(alice));
    expect(still.body.data.pagination.total_count).toBe(2);

    // Over tRPC the same, with real dates.
    const client = createApiClient({ url: 'http://api.test', fetch: api.fetch, token: alice.token });
    const viaTrpc = await client.stations.favorites.query({});
    expect(still.body.data).toEqual(JSON.parse(JSON.stringify(viaTrpc)));
    expect(viaTrpc.results[0]?.favoritedAt).toBeInstanceOf(Date);

    await client.stations.removeFavorite.mutate({ sn: 'FAV-1' });
    const after = await client.stations.favorites.query({});
    expect(after.results.map((s) => s.sn)).toEqual(['FAV-2']);

    for (const sn of ['NOPE', 'FAV-GONE']) {
      expect((await api.rest('POST', `/api/stations/${sn}/favorite`, {}, as(alice))).status).toBe(404);
    }
  });

  it('reports: own photos only; my-reports is mine alone; station issues hide others’ words', async () => {
    const filed = await api.rest(
      'POST',
      '/api/stations/FAV-1/report-issue',
      { issueType: 'slot_not_working', description: 'Slot 2 blinks red', mediaIds: [alice.uploadId] },
      as(alice),
    );
    expect(filed.status).toBe(200);
    expect(filed.body.data).toMatchObject({
      station: { sn: 'FAV-1', name: 'Alpha' },
      issueType: 'slot_not_working',
      status: 'open',
      mediaIds: [alice.uploadId],
    });

    // Bob's upload (or any upload not Alice's) cannot be attached by Alice.
    const stolen = await api.rest(
      'POST',
      '/api/stations/FAV-1/report-issue',
      { issueType: 'other', description: 'with bob photo', mediaIds: [bob.uploadId] },
      as(alice),
    );
    expect(stolen.status).toBe(403);
    expect(stolen.body.error.code).toBe('FORBIDDEN');

    const bad = await api.rest(
      'POST',
      '/api/stations/FAV-1/report-issue',
      { issueType: 'fire!', description: 'x'.repeat(2001), extra: 1 },
      as(alice),
    );
    expect(bad.status).toBe(400);
    const fields = bad.body.error.details.fields.map((f: { path: string }) => f.path);
    expect(fields).toEqual(expect.arrayContaining(['issueType', 'description']));

    const alices = await api.rest('GET', '/api/stations/my-reports', undefined, as(alice));
    expect(alices.body.data.results).toHaveLength(1);
    expect(alices.body.data.pagination.total_count).toBe(1);
    const bobs = await api.rest('GET', '/api/stations/my-reports', undefined, as(bob));
    expect(bobs.body.data.results).toEqual([]);

    const seenByBob = await api.rest('GET', '/api/stations/FAV-1/issues', undefined, as(bob));
    expect(seenByBob.body.data.results).toEqual([
      expect.objectContaining({ issueType: 'slot_not_working', mine: false, description: null }),
    ]);
    const seenByAlice = await api.rest('GET', '/api/stations/FAV-1/issues', undefined, as(alice));
    expect(seenByAlice.body.data.results[0]).toMatchObject({ mine: true, description: 'Slot 2 blinks red' });
    expect(
      (await api.rest('GET', '/api/stations/FAV-1/issues?status=resolved', undefined, as(bob))).body.data
        .results,
    ).toEqual([]);
  });
});
