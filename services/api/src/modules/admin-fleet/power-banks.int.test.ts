import { createApiClient } from '@powerbank/api-client';
import { AdminActionLog, PowerBank, Station } from '@powerbank/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUpAdmin, useTestApi } from '../../testing/auth-helpers.ts';

const api = useTestApi();
let ops: SignedUp;
let stationSn: string;

beforeAll(async () => {
  ops = await signUpAdmin(api(), 'operations');
  stationSn = `PS${crypto.randomUUID().slice(0, 8)}`;
  const em = api().deps.orm.em.fork();
  em.create(Station, {
    serialNumber: stationSn,
    name: 'Depot',
    address: 'Dock 1',
    latitude: 0,
    longitude: 0,
    slotCount: 4,
  });
  await em.flush();
});

const em = () => api().deps.orm.em.fork();
const newSerial = () => `PB${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
const post = (path: string, body: unknown, who: SignedUp = ops) =>
  api().rest('POST', path, body, bearer(who.token));
const client = () => createApiClient({ url: 'http://api.test', fetch: api().fetch, token: ops.token });
const logRows = (serial: string) =>
  em().count(AdminActionLog, { targetType: 'power_bank', targetId: serial });
const statusOf = async (serial: string) =>
  (await em().findOneOrFail(PowerBank, { serialNumber: serial })).status;

describe('power banks: register, move, mark lost/found/retired', () => {
  it('walks a power bank through its life, each step logged', async () => {
    const serial = newSerial();
    const registered = await post('/api/admin/power-banks', { serial, price: 2500 });
    expect(registered.status, JSON.stringify(registered.body)).toBe(200);
    expect(registered.body.data).toMatchObject({
      serial,
      status: 'in_transit',
      price: 2500,
      stationSn: null,
    });
    const again = await post('/api/admin/power-banks', { serial });
    expect([again.status, again.body.error.code]).toEqual([409, 'CONFLICT']);

    const moved = await post(`/api/admin/power-banks/${serial}/move`, { stationSn });
    expect(moved.body.data).toMatchObject({ status: 'in_transit', stationSn, slot: null });
    expect(
      await client().admin.powerBanks.mark.mutate({ serial, mark: 'lost', reason: 'not at depot' }),
    ).toMatchObject({
      status: 'lost',
    });
    expect(
      (await client().admin.powerBanks.mark.mutate({ serial, mark: 'found', reason: 'in the van' })).status,
    ).toBe('in_transit');
    expect(
      (await post(`/api/admin/power-banks/${serial}/mark`, { mark: 'retired', reason: 'swollen' })).body.data
        .status,
    ).toBe('retired');
    const moveRetired = await post(`/api/admin/power-banks/${serial}/move`, { stationSn });
    expect([moveRetired.status, moveRetired.body.error.code]).toEqual([422, 'BUSINESS_RULE']);
    expect(await logRows(serial)).toBe(5);
  });

  it('a rented power bank is refused (its rental decides), and nothing is changed or logged', async () => {
    const serial = newSerial();
    await post('/api/admin/power-banks', { serial });
    await em().nativeUpdate(
      PowerBank,
      { serialNumber: serial },
      { status: 'rented', currentRentalId: crypto.randomUUID() },
    );
    for (const mark of ['lost', 'retired'] as const) {
      const res = await post(`/api/admin/power-banks/${serial}/mark`, { mark, reason: 'testing' });
      expect([res.status, res.body.error.code]).toEqual([422, 'BUSINESS_RULE']);
    }
    expect(await statusOf(serial)).toBe('rented');
    expect(await logRows(serial)).toBe(1);
  });

  it('two admins marking one lost power bank found at once: one goes through', async () => {
    const serial = newSerial();
    await post('/api/admin/power-banks', { serial });
    await post(`/api/admin/power-banks/${serial}/mark`, { mark: 'lost', reason: 'missing' });
    const other = await signUpAdmin(api(), 'operations');
    const answers = await Promise.all(
      [ops, other, ops, other].map((who) =>
        post(`/api/admin/power-banks/${serial}/mark`, { mark: 'found', reason: 'back' }, who),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 422, 422, 422]);
    expect(await logRows(serial)).toBe(3);
  });

  it('support may not touch power banks', async () => {
    const support = await signUpAdmin(api(), 'support');
    const serial = newSerial();
    expect((await post('/api/admin/power-banks', { serial }, support)).status).toBe(403);
    expect(await em().count(PowerBank, { serialNumber: serial })).toBe(0);
  });
});
