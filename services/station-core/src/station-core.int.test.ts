import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CoreHarness,
  EJECT_TIMEOUT_MS,
  HEARTBEAT_MISSED_LIMIT,
  HEARTBEAT_MS,
  startCoreHarness,
} from './testing/core-harness.ts';

const poll = { timeout: 8000, interval: 100 };

describe('station-core through the real broker, bridge, JetStream and Postgres', () => {
  let h: CoreHarness;
  beforeAll(async () => {
    h = await startCoreHarness();
  });
  afterAll(() => h.close());

  /** Messages the bridge has handed to JetStream (stored, or answered as a duplicate), by kind. */
  const relayed = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await h.bridgeMetrics.relayed.get()).values.map((v) => [v.labels.kind, v.value]));

  async function bootStation(powerBanks: { slot: number; battery: number }[], slotCount = 4, extra = {}) {
    const sn = h.newSerial();
    const banks = powerBanks.map((b) => ({ ...b, serial: `${sn}-PB${b.slot}` }));
    const sim = await h.simulator({
      stations: [{ sn, slotCount, powerBanks: banks }],
      ejectDelayMs: 50,
      ...extra,
    });
    await expect.poll(async () => (await h.station(sn))?.status, poll).toBe('online');
    // Online comes with the boot message; the slots and banks may be written a batch later. Tests
    // start from the whole station, else a dispense can rightly answer no_power_bank.
    await expect
      .poll(async () => (await h.slots(sn)).filter((s) => s.serial !== null).length, poll)
      .toBe(banks.length);
    return { sn, sim, banks };
  }

  it('boot: the station comes online with its slots and power banks in the database', async () => {
    const { sn, banks } = await bootStation([
      { slot: 1, battery: 90 },
      { slot: 3, battery: 10 },
    ]);
    await expect.poll(async () => (await h.slots(sn)).length, poll).toBe(4);
    expect(await h.slots(sn)).toEqual([
      { slot_index: 1, status: 'ready', serial: banks[0]!.serial, battery_level: 90 },
      { slot_index: 2, status: 'empty', serial: null, battery_level: null },
      { slot_index: 3, status: 'charging', serial: banks[1]!.serial, battery_level: 10 },
      { slot_index: 4, status: 'empty', serial: null, battery_level: null },
    ]);
    expect(await h.powerBank(banks[0]!.serial)).toMatchObject({ status: 'in_slot', current_slot_index: 1 });
    expect((await h.station(sn))?.slot_count).toBe(4);
  });

  it('insert: a power bank put into a slot occupies it', async () => {
    const { sn, sim } = await bootStation([]);
    await sim.insert(sn, 2, `${sn}-NEW`, 77);
    await expect
      .poll(async () => (await h.slots(sn))[1], poll)
      .toMatchObject({ status: 'ready', serial: `${sn}-NEW` });
  });

  it('dispense → eject → the slot is empty and the power bank is out with the rental', async () => {
    const { sn, banks } = await bootStation([
      { slot: 1, battery: 60 },
      { slot: 2, battery: 95 },
    ]);
    const rentalId = crypto.randomUUID();
    const reply = await h.dispense(sn, crypto.randomUUID(), rentalId);
    // Highest charge first.
    expect(reply).toMatchObject({ ok: true, slot: 2, powerBankSerial: banks[1]!.serial });
    await expect.poll(async () => (await h.slots(sn))[1]?.status, poll).toBe('empty');
    expect(await h.powerBank(banks[1]!.serial)).toMatchObject({
      status: 'rented',
      current_rental_id: rentalId,
    });
    const [command] = await h.sql<{ status: string }>('select status from station_command where id = ?', [
      reply.commandId,
    ]);
    expect(command?.status).toBe('succeeded');
  });

  it('the same command id never ejects twice: a retry gets the first outcome', async () => {
    const { sn, sim } = await bootStation([
      { slot: 1, battery: 80 },
      { slot: 2, battery: 70 },
    ]);
    const commandId = crypto.randomUUID();
    const [a, b] = await Promise.all([h.dispense(sn, commandId), h.dispense(sn, commandId)]);
    expect(a).toEqual(b);
    const again = await h.dispense(sn, commandId);
    expect(again).toEqual(a);
    expect(sim.counters.commandsReceived.eject ?? 0).toBe(1);
    expect((await h.slots(sn)).filter((s) => s.status === 'ready')).toHaveLength(1);
  });

  it('concurrent dispenses at a station with one ready power bank: exactly one wins', async () => {
    const { sn } = await bootStation([{ slot: 1, battery: 80 }]);
    const replies = await Promise.all(Array.from({ length: 20 }, () => h.dispense(sn)));
    expect(
      replies.filter((r) => r.ok),
      JSON.stringify(replies.map((r) => (r.ok ? 'ok' : r.reason))),
    ).toHaveLength(1);
    // Losers are told the station is busy (its only bank is being ejected) or has none left.
    for (const r of replies.filter((r) => !r.ok)) expect(['busy', 'no_power_bank']).toContain(r.reason);
  });

  it('eject failure → failed answer, the slot is ready again', async () => {
    const { sn } = await bootStation([{ slot: 1, battery: 80 }], 2, {
      ejectFailureRate: 1,
      ejectFailureCode: 'jammed',
    });
    const reply = await h.dispense(sn);
    expect(reply).toMatchObject({ ok: false, reason: 'eject_failed', detail: 'jammed' });
    await expect.poll(async () => (await h.slots(sn))[0]?.status, poll).toBe('ready');
  });

  it('an eject result overtaken by a newer heartbeat still answers the dispense (no timeout)', async () => {
    const { sn, banks } = await bootStation([{ slot: 1, battery: 80 }], 2, { overtake: true });
    const reply = await h.dispense(sn);
    expect(reply).toMatchObject({ ok: true, powerBankSerial: banks[0]!.serial });
    await expect.poll(async () => (await h.slots(sn))[0]?.status, poll).toBe('empty');
    expect(await h.powerBank(banks[0]!.serial)).toMatchObject({ status: 'rented' });
  });

  it('eject timeout → timeout answer, the slot is ready again, the command is logged as timed out', async () => {
    const { sn } = await bootStation([{ slot: 1, battery: 80 }], 2, { ejectDelayMs: 60_000 });
    const started = Date.now();
    const reply = await h.dispense(sn);
    expect(reply).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(EJECT_TIMEOUT_MS - 100);
    await expect.poll(async () => (await h.slots(sn))[0]?.status, poll).toBe('ready');
    const [command] = await h.sql<{ status: string }>('select status from station_command where id = ?', [
      reply.commandId,
    ]);
    expect(command?.status).toBe('timed_out');
  });

  it('duplicate and out-of-order messages change nothing', async () => {
    const { sn, sim } = await bootStation([{ slot: 1, battery: 50 }]);
    const relayedBefore = await relayed();
    await sim.insert(sn, 2, `${sn}-X`, 66);
    // Repeated at once, so what is repeated is the insert (a slot event, accepted in any order among
    // heartbeats), not one of the station's own heartbeats, which a newer one could make stale.
    const duplicate = await sim.sendDuplicate(sn);
    await expect.poll(async () => (await h.slots(sn))[1]?.status, poll).toBe('ready');
    // The original is in before the newer heartbeats below are sent, so none can overtake it.
    await expect.poll(() => h.timesProcessed(duplicate.msgId), poll).toBeGreaterThanOrEqual(1);
    const { first, stale } = await sim.sendOutOfOrder(sn);
    expect(stale.seq).toBeLessThan(first.seq);
    // Positive markers, not a pause: both copies of the duplicate were handed to JetStream (which
    // stores one), both heartbeats reached core, and core has acknowledged all that the stream holds.
    await expect
      .poll(async () => (await relayed())[duplicate.kind] ?? 0, poll)
      .toBeGreaterThanOrEqual((relayedBefore[duplicate.kind] ?? 0) + 2);
    await expect.poll(() => h.timesProcessed(first.msgId), poll).toBe(1);
    await expect.poll(() => h.timesProcessed(stale.msgId), poll).toBe(1);
    await h.coreCaughtUp();
    expect((await h.slots(sn))[1]).toMatchObject({ status: 'ready', serial: `${sn}-X` });
    const [state] = await h.sql<{ snapshot: { context: { lastSeq: number; seenMsgIds: string[] } } }>(
      'select snapshot from station_actor_state where serial_number = ?',
      [sn],
    );
    const context = state!.snapshot.context;
    // The stale message was never accepted, and the newest seq was not lowered by it.
    expect(context.seenMsgIds).not.toContain(stale.msgId);
    expect(context.lastSeq).toBeGreaterThanOrEqual(first.seq);
    // The duplicate was accepted once (the original), never twice.
    expect(context.seenMsgIds.filter((id) => id === duplicate.msgId)).toHaveLength(1);
  });

  it('malformed messages are rejected by the bridge and logged with their raw payload', async () => {
    const { sn } = await bootStation([]);
    const mqtt = await import('mqtt');
    const raw = await mqtt.default.connectAsync(h.env.MQTT_URL, { clientId: `${h.prefix}-raw` });
    await raw.publishAsync(h.topics.up(sn, 'heartbeat'), '{"v":1,"kind":"heartbeat","seq":"nope"}', {
      qos: 1,
    });
    await raw.endAsync();
    await expect
      .poll(
        async () =>
          (
            await h.sql<{ raw_payload: string }>(
              `select raw_payload from system_log where source = 'mqtt-bridge' and context->>'topic' = ?`,
              [h.topics.up(sn, 'heartbeat')],
            )
          )[0]?.raw_payload,
        poll,
      )
      .toBe('{"v":1,"kind":"heartbeat","seq":"nope"}');
    expect((await h.station(sn))?.status).toBe('online');
  });

  it('the broker last-will (power cut) takes a station offline; reconnecting brings it back', async () => {
    const { sn, sim } = await bootStation([{ slot: 1, battery: 80 }]);
    await sim.goOffline(sn);
    await expect.poll(async () => (await h.station(sn))?.status, poll).toBe('offline');
    expect(await h.dispense(sn)).toMatchObject({ ok: false, reason: 'station_offline' });
    await sim.goOnline(sn);
    await expect.poll(async () => (await h.station(sn))?.status, poll).toBe('online');
  });

  it('missed heartbeats take a station offline', async () => {
    const sn = h.newSerial();
    // A station that says hello and then never beats again (heartbeat interval far beyond the test).
    const sim = await h.simulator({ stations: [{ sn, slotCount: 2 }], heartbeatIntervalMs: 600_000 });
    await expect.poll(async () => (await h.station(sn))?.status, poll).toBe('online');
    await expect
      .poll(async () => (await h.station(sn))?.status, {
        // The silence allowed, plus the watchdog's 1 s tick, plus slack.
        timeout: HEARTBEAT_MS * HEARTBEAT_MISSED_LIMIT + 5_000,
        interval: 100,
      })
      .toBe('offline');
    await sim.heartbeat(sn);
    await expect.poll(async () => (await h.station(sn))?.status, poll).not.toBe('offline');
  });

  it('reconnect with a differing snapshot is reconciled slot by slot', async () => {
    const { sn, sim, banks } = await bootStation([
      { slot: 1, battery: 80 },
      { slot: 2, battery: 80 },
    ]);
    await sim.goOffline(sn);
    await expect.poll(async () => (await h.station(sn))?.status, poll).toBe('offline');
    // While offline, the bank in slot 2 vanished and an unknown bank appeared in slot 3.
    const view = sim.station(sn);
    const s2 = view.slots.find((s) => s.slot === 2)!;
    s2.powerBank = undefined;
    view.slots.find((s) => s.slot === 3)!.powerBank = { serial: `${sn}-FOUND`, battery: 55 };
    await sim.goOnline(sn);
    await expect.poll(async () => (await h.slots(sn))[2]?.serial, poll).toBe(`${sn}-FOUND`);
    expect((await h.slots(sn))[1]).toMatchObject({ status: 'empty', serial: null });
    expect(await h.powerBank(banks[1]!.serial)).toMatchObject({ status: 'lost' });
    const [log] = await h.sql<{ n: number }>(
      `select count(*)::int as n from system_log where source = 'station-core' and context->>'powerBankSerial' = ?`,
      [banks[1]!.serial],
    );
    expect(log?.n).toBe(1);
  });
});
