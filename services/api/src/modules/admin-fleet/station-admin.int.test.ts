import { createApiClient } from '@powerbank/api-client';
import { AdminActionLog, Station, StationAmenity } from '@powerbank/db';
import { connectMqtt } from '@powerbank/messaging';
import { newNatsPrefix, startPrivateMosquitto } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUpAdmin } from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';

/**
 * Two api instances over one database and NATS prefix, whose station directories would otherwise
 * wait ten minutes before reading changes: only the NATS notice of an admin's change can show it.
 */
let broker: Awaited<ReturnType<typeof startPrivateMosquitto>>;
let writer: TestApi;
let reader: TestApi;
let ops: SignedUp;
const { prefix, cleanup } = newNatsPrefix();
const lazyDirectory = { STATION_DIRECTORY_REFRESH_MS: '600000', STATION_DIRECTORY_MAX_STALE_MS: '600000' };
const origin = { lat: 48.8566, lng: 2.3522 };

beforeAll(async () => {
  broker = await startPrivateMosquitto();
  writer = await createTestApi({
    env: {
      ...lazyDirectory,
      NATS_PREFIX: prefix,
      MQTT_URL: broker.url,
      MQTT_TOPIC_ROOT: prefix,
      MQTT_ADMIN_USERNAME: broker.admin.username,
      MQTT_ADMIN_PASSWORD: broker.admin.password,
    },
  });
  // No broker admin here: as in CI, where the broker lets stations in anonymously.
  reader = await createTestApi({
    databaseUrl: writer.deps.env.DATABASE_URL,
    env: { ...lazyDirectory, NATS_PREFIX: prefix },
  });
  const em = writer.deps.orm.em.fork();
  em.create(StationAmenity, { code: 'wifi', name: 'Wi-Fi' });
  em.create(StationAmenity, { code: 'seating', name: 'Seating' });
  await em.flush();
  ops = await signUpAdmin(writer, 'operations');
}, 60_000);
afterAll(async () => {
  await cleanup(writer.deps.nats).catch(() => undefined);
  await reader?.close();
  await writer?.close();
  await broker?.dispose();
});

const newSn = () => `ST${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
const aStation = (sn: string, extra: Record<string, unknown> = {}) => ({
  stationSn: sn,
  name: `Station ${sn}`,
  address: '1 Rue de Rivoli',
  city: 'Paris',
  latitude: origin.lat,
  longitude: origin.lng,
  slotCount: 8,
  amenityCodes: ['wifi'],
  media: [{ url: 'https://cdn.example.com/front.jpg' }],
  ...extra,
});
const nearby = async (api: TestApi) => {
  const res = await api.rest('GET', `/api/app/stations/nearby?lat=${origin.lat}&lng=${origin.lng}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.results as {
    sn: string;
    name: string;
    amenityCodes: string[];
    imageUrl: string | null;
  }[];
};
const connectAs = (credentials: { username: string; password: string; clientId: string }) =>
  connectMqtt(broker.url, { ...credentials, reconnectPeriod: 0 });
const logRows = (sn: string) =>
  writer.deps.orm.em.fork().count(AdminActionLog, { targetType: 'station', targetId: sn });

describe('stations: provision, edit, retire', () => {
  it('every api instance follows at once; the broker account is issued at provisioning and revoked at retirement', async () => {
    const sn = newSn();
    // The reader's directory is loaded (and would stay as it is for ten minutes).
    expect((await nearby(reader)).some((s) => s.sn === sn)).toBe(false);

    const created = await writer.rest('POST', '/api/admin/stations', aStation(sn), bearer(ops.token));
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.data).toMatchObject({
      stationSn: sn,
      status: 'offline',
      slotCount: 8,
      amenityCodes: ['wifi'],
    });
    const credentials = created.body.data.brokerCredentials;
    expect(credentials).toMatchObject({ username: sn, clientId: sn });
    await (await connectAs(credentials)).endAsync();
    await expect
      .poll(async () => (await nearby(reader)).find((s) => s.sn === sn), { timeout: 2000 })
      .toMatchObject({
        name: `Station ${sn}`,
        amenityCodes: ['wifi'],
        imageUrl: 'https://cdn.example.com/front.jpg',
      });

    const edited = await createApiClient({
      url: 'http://api.test',
      fetch: writer.fetch,
      token: ops.token,
    }).admin.stations.update.mutate({ stationSn: sn, name: 'Renamed', amenityCodes: ['seating', 'wifi'] });
    expect(edited).toMatchObject({ name: 'Renamed', amenityCodes: ['seating', 'wifi'], city: 'Paris' });
    await expect
      .poll(async () => (await nearby(reader)).find((s) => s.sn === sn), { timeout: 2000 })
      .toMatchObject({ name: 'Renamed', amenityCodes: ['seating', 'wifi'] });

    const retired = await writer.rest(
      'POST',
      `/api/admin/stations/${sn}/retire`,
      { reason: 'site closed' },
      bearer(ops.token),
    );
    expect(retired.status, JSON.stringify(retired.body)).toBe(200);
    expect(retired.body.data.status).toBe('decommissioned');
    await expect
      .poll(async () => (await nearby(reader)).some((s) => s.sn === sn), { timeout: 2000 })
      .toBe(false);
    await expect(connectAs(credentials)).rejects.toThrow(/not authorized|bad user name or password/i);
    expect(await logRows(sn)).toBe(3);
  });

  it('without a broker admin no credentials are issued (an anonymous broker)', async () => {
    const sn = newSn();
    const admin = await signUpAdmin(reader, 'operations');
    const created = await reader.rest('POST', '/api/admin/stations', aStation(sn), bearer(admin.token));
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.data.brokerCredentials).toBeNull();
  });

  it('a taken serial, an unknown amenity or a support caller is refused and changes nothing', async () => {
    const sn = newSn();
    const unknown = await writer.rest(
      'POST',
      '/api/admin/stations',
      aStation(sn, { amenityCodes: ['pool'] }),
      bearer(ops.token),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'unknown amenity codes: pool',
    });
    const support = await signUpAdmin(writer, 'support');
    const forbidden = await writer.rest('POST', '/api/admin/stations', aStation(sn), bearer(support.token));
    expect(forbidden.status).toBe(403);
    expect(await writer.deps.orm.em.fork().count(Station, { serialNumber: sn })).toBe(0);
    expect(await logRows(sn)).toBe(0);

    // Two admins provisioning the same serial at once: one station, one log row.
    const answers = await Promise.all(
      [1, 2].map(() => writer.rest('POST', '/api/admin/stations', aStation(sn), bearer(ops.token))),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)?.body.error.code).toBe('CONFLICT');
    expect(await logRows(sn)).toBe(1);
  });
});
