import { createApiClient } from '@powerbank/api-client';
import { AdminActionLog, StationCommand } from '@powerbank/db';
import { ledger } from '@powerbank/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, signUpAdmin } from '../../testing/auth-helpers.ts';
import { aRentalPackage } from '../../testing/rental-packages.ts';
import { startRentalStack } from '../../testing/rental-stack.ts';

const poll = { timeout: 15_000, interval: 100 };
let stack: Awaited<ReturnType<typeof startRentalStack>>;
let ops: SignedUp;

beforeAll(async () => {
  stack = await startRentalStack();
  ops = await signUpAdmin(stack.api, 'operations');
}, 60_000);
afterAll(() => stack?.close());

const em = () => stack.api.deps.orm.em.fork();
const key = () => `key-${crypto.randomUUID()}`;
const client = (who: SignedUp) =>
  createApiClient({ url: 'http://api.test', fetch: stack.api.fetch, token: who.token });
const command = (sn: string, body: Record<string, unknown>, who: SignedUp = ops) =>
  stack.api.rest('POST', `/api/admin/stations/${sn}/commands`, body, bearer(who.token));

/** A simulated station with power banks in the given slots, once station-core shows them ready. */
async function aStation(slotCount: number, filled: number[]) {
  const { h } = stack;
  const sn = h.newSerial('F');
  const powerBanks = filled.map((slot) => ({ slot, battery: 90, serial: `${sn}-PB${slot}` }));
  const sim = await h.simulator({ stations: [{ sn, slotCount, powerBanks }], ejectDelayMs: 30 });
  await expect
    .poll(async () => (await h.slots(sn)).filter((s) => s.status === 'ready').length, poll)
    .toBe(filled.length);
  return { sn, sim };
}

const logRows = (commandId: string) =>
  em().count(AdminActionLog, { targetType: 'station_command', targetId: commandId });
/** AdminActionLog rows of commands to station `sn`. */
const logsFor = async (sn: string) =>
  Number(
    (
      await stack.h.sql<{ n: string }>(
        `select count(*) as n from admin_action_log where "after"->'answer'->>'stationSn' = ?`,
        [sn],
      )
    )[0]?.n,
  );

describe('remote commands through station-core', () => {
  it('an admin ejects a slot at a simulated station and gets the station acknowledgement (REST)', async () => {
    const { sn, sim } = await aStation(2, [1, 2]);
    const res = await command(sn, { command: 'eject', slot: 2, idempotencyKey: key(), reason: 'stuck' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({
      stationSn: sn,
      command: 'eject',
      slot: 2,
      ok: true,
      powerBankSerial: `${sn}-PB2`,
      reason: null,
    });
    // The station itself let it go; the cloud's picture follows its eject-result.
    expect(sim.station(sn).slots[1]?.powerBank).toBeUndefined();
    expect(sim.station(sn).slots[0]?.powerBank?.serial).toBe(`${sn}-PB1`);
    await expect.poll(async () => (await stack.h.slots(sn))[1]?.status, poll).toBe('empty');
    const commandId: string = res.body.data.commandId;
    const logged = await em().findOneOrFail(StationCommand, { id: commandId });
    expect([logged.kind, logged.status, logged.slotIndex, logged.rentalId]).toEqual([
      'eject',
      'succeeded',
      2,
      null,
    ]);
    expect(await logRows(commandId)).toBe(1);
  });

  it('the same request key twice ejects once (tRPC, a double click at once and a retry after)', async () => {
    const { sn, sim } = await aStation(3, [1, 2, 3]);
    const idempotencyKey = key();
    const ask = () =>
      client(ops).admin.stations.command.mutate({ stationSn: sn, command: 'eject', slot: 1, idempotencyKey });
    const [first, second] = await Promise.all([ask(), ask()]);
    const retry = await ask();
    expect(first.ok).toBe(true);
    expect(second).toEqual(first);
    expect(retry).toEqual(first);
    expect(await em().count(StationCommand, { serialNumber: sn, kind: 'eject' })).toBe(1);
    expect(sim.counters.commandsReceived.eject).toBe(1);
    expect(await logRows(first.commandId)).toBe(1);
    // Slots 2 and 3 still hold theirs: nothing else was ejected.
    expect(sim.station(sn).slots.map((s) => s.powerBank?.serial ?? null)).toEqual([
      null,
      `${sn}-PB2`,
      `${sn}-PB3`,
    ]);
    // The key names that eject: the same key for another command is refused, and nothing is sent.
    const reused = await command(sn, { command: 'eject', slot: 2, idempotencyKey });
    expect(reused.status, JSON.stringify(reused.body)).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(sim.station(sn).slots[1]?.powerBank?.serial).toBe(`${sn}-PB2`);
  });

  it('several admins ejecting slots of one station at once: each slot once, each answer its own power bank', async () => {
    const { sn, sim } = await aStation(4, [1, 2, 3, 4]);
    const admins = [ops, ...(await Promise.all([1, 2, 3].map(() => signUpAdmin(stack.api, 'operations'))))];
    // Each admin asks twice (a double click) for their own slot.
    const answers = await Promise.all(
      admins.flatMap((admin, i) => {
        const body = { command: 'eject', slot: i + 1, idempotencyKey: `double-${sn}` };
        return [command(sn, body, admin), command(sn, body, admin)];
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.map((a) => a.body.data.powerBankSerial)).toEqual(
      [1, 1, 2, 2, 3, 3, 4, 4].map((slot) => `${sn}-PB${slot}`),
    );
    expect(sim.counters.commandsReceived.eject).toBe(4);
    expect(await logsFor(sn)).toBe(4);
  });

  it('lock, unlock, sync and reboot are each answered by the station ack (tRPC), and logged', async () => {
    const { sn, sim } = await aStation(2, [1]);
    const send = (command: 'lock' | 'unlock' | 'sync' | 'reboot', slot?: number) =>
      client(ops).admin.stations.command.mutate({ stationSn: sn, command, slot, idempotencyKey: key() });
    const locked = await send('lock', 1);
    expect(locked).toMatchObject({ ok: true, command: 'lock', slot: 1, reason: null });
    expect(sim.station(sn).slots[0]?.locked).toBe(true);
    expect((await stack.h.slots(sn))[0]?.status).toBe('locked');
    expect((await send('unlock', 1)).ok).toBe(true);
    expect(sim.station(sn).slots[0]?.locked).toBe(false);
    const synced = await send('sync');
    const rebooted = await send('reboot');
    expect([synced.ok, rebooted.ok]).toEqual([true, true]);
    for (const answer of [locked, synced, rebooted]) {
      const row = await em().findOneOrFail(StationCommand, { id: answer.commandId });
      expect([row.serialNumber, row.status]).toEqual([sn, 'succeeded']);
    }
    // The simulator counts an ack once the broker acknowledged its publish, which may be after
    // station-core already answered from it.
    await expect.poll(() => sim.counters.published.ack, poll).toBe(4);
    expect(await logsFor(sn)).toBe(4);
    // The rebooted station comes back by itself.
    await expect.poll(async () => sim.station(sn).connected, poll).toBe(true);
    await expect.poll(async () => (await stack.h.station(sn))?.status, poll).toBe('online');
  });

  it('a station taken offline refuses the command, and nothing is sent or logged', async () => {
    const { sn, sim } = await aStation(2, [1]);
    await sim.goOffline(sn);
    await expect.poll(async () => (await stack.h.station(sn))?.status, poll).toBe('offline');
    const rest = await command(sn, { command: 'eject', slot: 1, idempotencyKey: key() });
    expect(rest.status, JSON.stringify(rest.body)).toBe(422);
    expect(rest.body.error.code).toBe('STATION_OFFLINE');
    const trpc = await client(ops)
      .admin.stations.command.mutate({ stationSn: sn, command: 'sync', idempotencyKey: key() })
      .then(
        () => undefined,
        (error: { data?: { appCode?: string } }) => error.data?.appCode,
      );
    expect(trpc).toBe('STATION_OFFLINE');
    expect(await em().count(StationCommand, { serialNumber: sn, kind: 'eject' })).toBe(0);
    expect(await logsFor(sn)).toBe(0);
    expect(sim.counters.commandsReceived.eject ?? 0).toBe(0);
    expect(sim.station(sn).slots[0]?.powerBank?.serial).toBe(`${sn}-PB1`);
  });

  it('maintenance on makes rentals/start refuse that station and nearby show it so; off lets it rent again', async () => {
    const { sn } = await aStation(2, [1]);
    const origin = { lat: 12.9716, lng: 77.5946 };
    await stack.h.sql(
      'update station set updated_at = now(), is_public = true, latitude = ?, longitude = ? where serial_number = ?',
      [origin.lat, origin.lng, sn],
    );
    const nearbyStatus = async () => {
      const res = await stack.api.rest('GET', `/api/app/stations/nearby?lat=${origin.lat}&lng=${origin.lng}`);
      return (res.body.data.results as { sn: string; status: string }[]).find((s) => s.sn === sn)?.status;
    };
    await expect.poll(nearbyStatus, poll).toBe('online');

    const on = await client(ops).admin.stations.command.mutate({
      stationSn: sn,
      command: 'maintenance-on',
      idempotencyKey: key(),
      reason: 'cleaning',
    });
    expect(on).toMatchObject({ ok: true, command: 'maintenance-on' });
    expect((await stack.h.station(sn))?.status).toBe('maintenance');
    await expect.poll(nearbyStatus, poll).toBe('maintenance');

    const user = await signUp(stack.api);
    await ledger.creditWallet(em(), {
      userId: user.userId,
      amount: 10_000,
      type: 'topup',
      idempotencyKey: `fleet:${user.userId}`,
    });
    const pkgEm = em();
    const pkg = aRentalPackage(pkgEm, `fleet-${sn}`);
    await pkgEm.flush();
    const start = () =>
      stack.api.rest(
        'POST',
        '/api/rentals/start',
        { station_sn: sn, package_id: pkg.id, payment_mode: 'wallet', idempotency_key: key() },
        bearer(user.token),
      );
    const refused = await start();
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'STATION_OFFLINE',
      message: 'the station is in maintenance',
    });

    const off = await command(sn, { command: 'maintenance-off', idempotencyKey: key() });
    expect(off.body.data).toMatchObject({ ok: true });
    await expect.poll(nearbyStatus, poll).toBe('online');
    const started = await start();
    expect(started.status, JSON.stringify(started.body)).toBe(200);
  });

  it('support may read the live slots but not send commands (403, nothing sent)', async () => {
    const { sn, sim } = await aStation(2, [1]);
    const support = await signUpAdmin(stack.api, 'support');
    const slots = await stack.api.rest(
      'GET',
      `/api/admin/stations/${sn}/slots`,
      undefined,
      bearer(support.token),
    );
    expect(slots.status, JSON.stringify(slots.body)).toBe(200);
    expect(slots.body.data.slots.map((s: { slot: number; status: string }) => [s.slot, s.status])).toEqual([
      [1, 'ready'],
      [2, 'empty'],
    ]);
    const refused = await command(sn, { command: 'eject', slot: 1, idempotencyKey: key() }, support);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(sim.counters.commandsReceived.eject ?? 0).toBe(0);
    expect(await logsFor(sn)).toBe(0);
    expect(await em().count(StationCommand, { serialNumber: sn, kind: 'eject' })).toBe(0);
  });
});
