import { randomUUID } from 'node:crypto';
import { commonEnv, parseConfig } from '@powerbank/config';
import { buildDown, encodeMessage, parseUpMessage, stationTopics, type UpMessage } from '@powerbank/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from './simulator.ts';

const { MQTT_URL } = parseConfig(commonEnv);
const run = randomUUID().slice(0, 8);
const sn = `SIMT-${run}`;
/** A topic root of this file's own: no bridge of another test (or a dev stack) hears this station. */
const topics = stationTopics(`simt-${run}`);

/** Plays the cloud: records every up message of the test station, parsed with the protocol schemas. */
let cloud: MqttClient;
const received: { kind: string; retain: boolean; message: UpMessage }[] = [];
const invalid: string[] = [];
let simulator: Simulator;

function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const found = find();
      if (found !== undefined) {
        clearInterval(poll);
        resolve(found);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 20);
  });
}

beforeAll(async () => {
  cloud = await mqtt.connectAsync(MQTT_URL, { clientId: `cloud-${run}`, protocolVersion: 5 });
  cloud.on('message', (topic, payload, packet) => {
    const route = topics.parseUp(topic);
    if (!route) return;
    const parsed = parseUpMessage(route.kind, payload);
    if (parsed.ok) received.push({ kind: parsed.kind, retain: packet.retain, message: parsed.message });
    else invalid.push(`${topic}: ${parsed.detail}`);
  });
  await cloud.subscribeAsync(topics.up(sn, '+'), { qos: 1 });
  simulator = createSimulator({
    mqttUrl: MQTT_URL,
    topicRoot: topics.root,
    stations: [{ sn, slotCount: 4, powerBanks: [{ slot: 2, serial: `${sn}-PB2`, battery: 80 }] }],
    ejectDelayMs: 50,
    heartbeatIntervalMs: 200,
    persistentSession: false,
  });
  await simulator.start();
});

afterAll(async () => {
  await simulator?.stop();
  // Clear the retained status so the broker does not keep it after the test.
  await cloud?.publishAsync(topics.up(sn, 'status'), '', { qos: 1, retain: true });
  await cloud?.endAsync();
});

describe('station simulator against the real broker', () => {
  it('boots with status online and a hello that parses with the protocol schema', async () => {
    const hello = await waitFor(() => received.find((r) => r.kind === 'hello')?.message, 'hello');
    expect(hello).toMatchObject({
      kind: 'hello',
      slotCount: 4,
      reason: 'boot',
      slots: [
        { slot: 1, state: 'empty' },
        { slot: 2, state: 'occupied', powerBank: { serial: `${sn}-PB2`, battery: 80 } },
        { slot: 3, state: 'empty' },
        { slot: 4, state: 'empty' },
      ],
    });
    const status = received.find((r) => r.kind === 'status')?.message;
    expect(status).toMatchObject({ state: 'online' });
    expect(hello.seq).toBeGreaterThan(status?.seq ?? Number.POSITIVE_INFINITY);
    await waitFor(() => received.find((r) => r.kind === 'heartbeat'), 'a heartbeat');
    expect(invalid).toEqual([]);
  });

  it('answers an eject on its down topic with an eject-result, and the slot is empty', async () => {
    const eject = buildDown('eject', { commandId: `cmd-${run}-1`, slot: 2, rentalId: 'rental-1' });
    await cloud.publishAsync(topics.down(sn, 'eject'), Buffer.from(encodeMessage(eject)), { qos: 1 });
    const result = await waitFor(
      () =>
        received.find(
          (r) =>
            r.kind === 'eject-result' && 'commandId' in r.message && r.message.commandId === eject.commandId,
        ),
      'eject-result',
    );
    expect(result.message).toMatchObject({ ok: true, slot: 2, powerBankSerial: `${sn}-PB2` });
    expect(simulator.station(sn).slots[1]?.powerBank).toBeUndefined();

    // A redelivered command gets the same answer; nothing is ejected twice.
    await cloud.publishAsync(topics.down(sn, 'eject'), Buffer.from(encodeMessage(eject)), { qos: 1 });
    await waitFor(
      () => (received.filter((r) => r.kind === 'eject-result').length === 2 ? true : undefined),
      'repeated eject-result',
    );
    const results = received.filter((r) => r.kind === 'eject-result').map((r) => r.message);
    expect(results[1]).toEqual(results[0]);
  });

  it('answers sync with a hello, and reports an insert', async () => {
    await simulator.insert(sn, 3, `${sn}-PB9`, 12);
    await cloud.publishAsync(topics.down(sn, 'sync'), Buffer.from(encodeMessage(buildDown('sync', {}))), {
      qos: 1,
    });
    const hello = await waitFor(
      () =>
        received.find((r) => r.kind === 'hello' && 'reason' in r.message && r.message.reason === 'sync')
          ?.message,
      'sync hello',
    );
    expect(hello).toMatchObject({
      slots: [{ state: 'empty' }, { state: 'empty' }, { state: 'occupied' }, { state: 'empty' }],
    });
    expect(
      received.some((r) => r.kind === 'slot' && 'event' in r.message && r.message.event === 'inserted'),
    ).toBe(true);
  });

  it('sends duplicates and out-of-order messages on request', async () => {
    const repeated = await simulator.sendDuplicate(sn);
    const { first, stale } = await simulator.sendOutOfOrder(sn);
    expect(stale.seq).toBeLessThan(first.seq);
    await waitFor(
      () => (received.filter((r) => r.message.msgId === repeated.msgId).length === 2 ? true : undefined),
      'the duplicate',
    );
    await waitFor(() => received.find((r) => r.message.msgId === stale.msgId), 'the stale heartbeat');
    const order = received.map((r) => r.message.msgId);
    expect(order.indexOf(stale.msgId)).toBeGreaterThan(order.indexOf(first.msgId));
    expect(simulator.counters).toMatchObject({ duplicatesSent: 1, outOfOrderSent: 1 });
  });

  it('goes offline uncleanly so the broker publishes the retained will, and comes back with hello', async () => {
    await simulator.goOffline(sn);
    const will = await waitFor(
      () =>
        received.find((r) => r.kind === 'status' && 'state' in r.message && r.message.state === 'offline'),
      'the will',
    );
    expect(will.message).toMatchObject({ kind: 'status', state: 'offline' });
    expect(simulator.station(sn).connected).toBe(false);

    // A late subscriber gets the will as the retained status.
    const late = await mqtt.connectAsync(MQTT_URL, { clientId: `late-${run}`, protocolVersion: 5 });
    const retained = new Promise<UpMessage>((resolve) => {
      late.on('message', (_topic, payload, packet) => {
        const parsed = parseUpMessage('status', payload);
        if (packet.retain && parsed.ok) resolve(parsed.message);
      });
    });
    await late.subscribeAsync(topics.up(sn, 'status'), { qos: 1 });
    expect(await retained).toMatchObject({ state: 'offline', msgId: will.message.msgId });
    await late.endAsync();

    const hellos = received.filter((r) => r.kind === 'hello').length;
    await simulator.goOnline(sn);
    const hello = await waitFor(
      () => received.filter((r) => r.kind === 'hello')[hellos]?.message,
      'hello after reconnect',
    );
    expect(hello).toMatchObject({ reason: 'reconnect' });
    const online = received.filter((r) => r.kind === 'status').at(-1)?.message;
    expect(online).toMatchObject({ state: 'online' });
    expect(online?.seq).toBeGreaterThan(will.message.seq);
    expect(invalid).toEqual([]);
  });
});

describe('auto-return (the load tests’ return hook, --auto-return-ms)', () => {
  const returning = `${sn}-R`;
  let auto: Simulator;

  beforeAll(async () => {
    await cloud.subscribeAsync(topics.up(returning, '+'), { qos: 1 });
    auto = createSimulator({
      mqttUrl: MQTT_URL,
      topicRoot: topics.root,
      // One slot holds the power bank, the other is empty: the return goes into the first empty one.
      stations: [
        { sn: returning, slotCount: 2, powerBanks: [{ slot: 2, serial: `${returning}-PB`, battery: 90 }] },
      ],
      ejectDelayMs: 20,
      autoReturnMs: { min: 50, max: 150 },
      persistentSession: false,
    });
    await auto.start();
  });

  afterAll(async () => {
    await auto?.stop();
    await cloud?.publishAsync(topics.up(returning, 'status'), '', { qos: 1, retain: true });
  });

  it('puts an ejected power bank back by itself, reported as a slot insert of the same serial', async () => {
    const eject = buildDown('eject', { commandId: `cmd-${run}-auto`, slot: 2, rentalId: 'rental-auto' });
    await cloud.publishAsync(topics.down(returning, 'eject'), Buffer.from(encodeMessage(eject)), { qos: 1 });
    const inserted = await waitFor(
      () =>
        received.find(
          (r) =>
            r.message.kind === 'slot' &&
            r.message.event === 'inserted' &&
            r.message.powerBank?.serial === `${returning}-PB`,
        ),
      'the automatic return',
    );
    const ejected = received.find(
      (r) =>
        r.message.kind === 'eject-result' &&
        'commandId' in r.message &&
        r.message.commandId === eject.commandId,
    );
    expect(ejected?.message).toMatchObject({ ok: true, slot: 2, powerBankSerial: `${returning}-PB` });
    expect(inserted.message).toMatchObject({ slot: 1 });
    expect(received.indexOf(inserted)).toBeGreaterThan(
      received.indexOf(ejected as (typeof received)[number]),
    );
    expect(auto.station(returning).slots.map((s) => s.powerBank?.serial)).toEqual([
      `${returning}-PB`,
      undefined,
    ]);
    expect(auto.counters.autoReturned).toBe(1);
  });
});
