import { randomUUID } from 'node:crypto';
import { commonEnv, parseConfig } from '@powerbank/config';
import { buildDown, encodeMessage, parseUpMessage, stationTopics, type UpMessage } from '@powerbank/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSimulator, type Simulator } from './simulator.ts';

// The load tests' return hook (`--auto-return-ms`): what k6's rental flow waits for.
const { MQTT_URL } = parseConfig(commonEnv);
const run = randomUUID().slice(0, 8);
const sn = `SIMR-${run}`;
const topics = stationTopics(`simr-${run}`);

let cloud: MqttClient;
const received: UpMessage[] = [];
let simulator: Simulator;

beforeAll(async () => {
  cloud = await mqtt.connectAsync(MQTT_URL, { clientId: `cloud-${run}`, protocolVersion: 5 });
  cloud.on('message', (topic, payload) => {
    const route = topics.parseUp(topic);
    const parsed = route && parseUpMessage(route.kind, payload);
    if (parsed?.ok) received.push(parsed.message);
  });
  await cloud.subscribeAsync(topics.up(sn, '+'), { qos: 1 });
  simulator = createSimulator({
    mqttUrl: MQTT_URL,
    topicRoot: topics.root,
    // One slot holds the power bank, the other is empty: the return goes into the first empty one.
    stations: [{ sn, slotCount: 2, powerBanks: [{ slot: 2, serial: `${sn}-PB`, battery: 90 }] }],
    ejectDelayMs: 20,
    autoReturnMs: { min: 50, max: 150 },
    persistentSession: false,
  });
  await simulator.start();
});

afterAll(async () => {
  await simulator?.stop();
  await cloud?.publishAsync(topics.up(sn, 'status'), '', { qos: 1, retain: true });
  await cloud?.endAsync();
});

const ejectCommand = (commandId: string, slot: number) =>
  cloud.publishAsync(
    topics.down(sn, 'eject'),
    Buffer.from(encodeMessage(buildDown('eject', { commandId, slot, rentalId: `rental-${commandId}` }))),
    { qos: 1 },
  );

describe('simulator auto-return (load tests)', () => {
  it('puts an ejected power bank back by itself, reported as a slot insert of the same serial', async () => {
    await ejectCommand(`cmd-${run}-1`, 2);
    const inserted = await vi.waitFor(
      () => {
        const found = received.find((m) => m.kind === 'slot' && m.event === 'inserted');
        if (!found) throw new Error('no insert yet');
        return found;
      },
      { timeout: 5000, interval: 20 },
    );
    const ejected = received.find((m) => m.kind === 'eject-result');
    expect(ejected).toMatchObject({ ok: true, slot: 2, powerBankSerial: `${sn}-PB` });
    expect(inserted).toMatchObject({ slot: 1, powerBank: { serial: `${sn}-PB` } });
    expect(received.indexOf(inserted)).toBeGreaterThan(received.indexOf(ejected as UpMessage));
    expect(simulator.station(sn).slots.map((s) => s.powerBank?.serial)).toEqual([`${sn}-PB`, undefined]);
    expect(simulator.counters.autoReturned).toBe(1);
  });
});
