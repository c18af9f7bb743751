import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectMqtt } from '@powerbank/messaging';
import { buildUp, encodeMessage, subjects as subjectsFor } from '@powerbank/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { total } from './metrics.ts';
import { type CoreHarness, startCoreHarness } from './testing/core-harness.ts';

const poll = { timeout: 20_000, interval: 100 };
const MAX_DELIVER = 3;

/** A hello as a station sends it, straight into JetStream (behind the bridge's checks). */
const hello = (firmware: string) =>
  encodeMessage(
    buildUp('hello', {
      seq: Date.now() * 1000,
      firmware,
      slotCount: 2,
      reason: 'boot',
      slots: [
        { slot: 1, state: 'empty' },
        { slot: 2, state: 'empty' },
      ],
    }),
  );

describe('station-core quarantines what it can never apply', () => {
  let h: CoreHarness;
  beforeAll(async () => {
    h = await startCoreHarness({}, { maxDeliver: MAX_DELIVER });
    // Genuine database refusals for values the protocol allows: a check constraint (SQLSTATE 23514,
    // the data) and a trigger raising an error of its own (P0001, not the data: retried).
    await h.sql(
      `alter table station add constraint test_no_poison check (firmware_version is distinct from 'POISON')`,
    );
    await h.sql(`create function test_stuck() returns trigger language plpgsql as $$
                 begin if new.firmware_version = 'STUCK' then raise exception 'stuck'; end if; return new; end $$`);
    await h.sql(
      `create trigger test_stuck before update on station for each row execute function test_stuck()`,
    );
  });
  afterAll(() => h?.close());

  const publish = async (sn: string, payload: Uint8Array) =>
    jetstream(h.nats).publish(subjectsFor(h.prefix).stationEvent(sn, 'hello'), payload);
  const deadLetters = (sn: string) =>
    h.sql<{ message: string; deliveries: string; raw_payload: string }>(
      `select message, context->>'deliveries' as deliveries, raw_payload from system_log
        where source = 'station-core' and message like 'station event dead-lettered%' and context->>'sn' = ?`,
      [sn],
    );
  const actorRows = async (sn: string) =>
    (await h.sql('select 1 from station_actor_state where serial_number = ?', [sn])).length;

  it('one poisoned event among 100 good ones: 100 applied, 1 dead-lettered on its first delivery, none redelivered', async () => {
    const good = Array.from({ length: 100 }, () => h.newSerial('Q'));
    const poisoned = h.newSerial('P');
    await h.register([...good, poisoned].map((sn) => ({ sn, slotCount: 2 })));
    const payloads = good.map((sn) => [sn, hello('1.0.0')] as const);
    // In the middle, so it shares a write batch with good ones.
    payloads.splice(50, 0, [poisoned, hello('POISON')]);
    await Promise.all(payloads.map(([sn, payload]) => publish(sn, payload)));

    await expect
      .poll(
        async () =>
          (
            await h.sql<{ n: number }>(
              `select count(*)::int as n from station where status = 'online' and serial_number in (${good.map(() => '?').join(',')})`,
              good,
            )
          )[0]?.n,
        poll,
      )
      .toBe(100);
    await expect.poll(() => total(h.core.metrics.deadLettered), poll).toBe(1);
    const [letter, ...more] = await deadLetters(poisoned);
    expect(more).toEqual([]);
    expect(letter).toMatchObject({ message: 'station event dead-lettered: refused', deliveries: '1' });
    expect(letter!.raw_payload).toContain('"firmware":"POISON"');
    // Nothing of the poisoned event was written.
    expect((await h.station(poisoned))?.status).toBe('offline');
    expect(await actorRows(poisoned)).toBe(0);
    // No redelivery storm: no event was handed back, and JetStream holds nothing pending.
    expect(await total(h.core.metrics.redelivered)).toBe(0);
    const info = await (await jetstreamManager(h.nats)).consumers.info(
      subjectsFor(h.prefix).stationEventsStream,
      `${h.prefix}_station-core`,
    );
    expect(info.num_redelivered).toBe(0);
    expect(info.config.max_deliver).toBe(MAX_DELIVER);
    // The station is not blocked: its next good message applies.
    await publish(poisoned, hello('1.0.1'));
    await expect.poll(async () => (await h.station(poisoned))?.status, poll).toBe('online');
  });

  it('an event that fails for another reason is retried, then dead-lettered when its deliveries run out', async () => {
    const sn = h.newSerial('R');
    await h.register([{ sn, slotCount: 2 }]);
    const redeliveredBefore = await total(h.core.metrics.redelivered);
    await publish(sn, hello('STUCK'));
    await expect.poll(async () => (await deadLetters(sn)).length, poll).toBe(1);
    expect((await deadLetters(sn))[0]).toMatchObject({
      message: 'station event dead-lettered: deliveries_exhausted',
      deliveries: String(MAX_DELIVER),
    });
    expect((await total(h.core.metrics.redelivered)) - redeliveredBefore).toBe(MAX_DELIVER - 1);
    expect((await h.station(sn))?.status).toBe('offline');
  });

  it('an event whose dead letter cannot be written on its last delivery is dead-lettered once it can be', async () => {
    const sn = h.newSerial('L');
    await h.register([{ sn, slotCount: 2 }]);
    // The first dead-letter write for this serial fails (a sequence: its count survives the rollback).
    await h.sql(`create sequence test_log_refusals`);
    await h.sql(`create function test_refuse_log_once() returns trigger language plpgsql as $$
                 begin if nextval('test_log_refusals') = 1 then raise exception 'log refused'; end if; return new; end $$`);
    await h.sql(`create trigger test_refuse_log_once before insert on system_log for each row
                 when (new.context->>'sn' = '${sn}') execute function test_refuse_log_once()`);
    await publish(sn, hello('STUCK'));
    // JetStream delivers it no more after its last delivery: the write is retried in hand, not lost.
    await expect.poll(async () => (await deadLetters(sn)).length, poll).toBe(1);
    expect((await deadLetters(sn))[0]).toMatchObject({
      message: 'station event dead-lettered: deliveries_exhausted',
      deliveries: String(MAX_DELIVER),
    });
    expect(Number((await h.sql<{ n: string }>(`select last_value as n from test_log_refusals`))[0]?.n)).toBe(
      2,
    );
  });

  it('a serial nobody registered creates no station and no actor row: refused, counted and logged', async () => {
    const forged = h.newSerial('F');
    const station = await connectMqtt(h.env.MQTT_URL, { clientId: `${h.prefix}-forger` });
    await station.publishAsync(h.topics.up(forged, 'hello'), Buffer.from(hello('1.0.0')), { qos: 1 });
    await station.endAsync();
    await expect
      .poll(
        async () =>
          (
            await h.sql(
              `select 1 from system_log where source = 'station-core' and message = 'station event refused: unregistered station' and context->>'sn' = ?`,
              [forged],
            )
          ).length,
        poll,
      )
      .toBe(1);
    expect(await total(h.core.metrics.refused)).toBeGreaterThanOrEqual(1);
    expect(await h.station(forged)).toBeUndefined();
    expect(await actorRows(forged)).toBe(0);
  });

  it('a durable consumer made by an older version (unbounded deliveries) takes the bound on', async () => {
    const jsm = await jetstreamManager(h.nats);
    const stream = subjectsFor(h.prefix).stationEventsStream;
    const durable = `${h.prefix}_station-core`;
    await h.stopCore();
    await jsm.consumers.update(stream, durable, { max_deliver: -1 });
    expect((await jsm.consumers.info(stream, durable)).config.max_deliver).toBe(-1);
    await h.restartCore();
    expect((await jsm.consumers.info(stream, durable)).config.max_deliver).toBe(MAX_DELIVER);
  });
});
