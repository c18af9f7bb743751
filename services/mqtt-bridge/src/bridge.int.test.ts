import { randomUUID } from 'node:crypto';
import { connectMqtt, connectNats, type MqttClient, type NatsConnection } from '@powerbank/messaging';
import { stationTopics, subjects as subjectsFor } from '@powerbank/protocol';
import { newNatsPrefix, streamMessages, testBridgeEnv } from '@powerbank/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBridge, startBridge } from './bridge.ts';
import { type BridgeMetrics, createBridgeMetrics } from './metrics.ts';

const heartbeat = (seq: number, msgId = randomUUID()) =>
  JSON.stringify({ v: 1, kind: 'heartbeat', msgId, seq, ts: Date.now(), uptimeS: seq * 30 });

describe('mqtt-bridge heartbeat relay (real Mosquitto and JetStream)', () => {
  const { prefix, cleanup } = newNatsPrefix();
  const subjects = subjectsFor(prefix);
  const topics = stationTopics(prefix);
  const sn = `T${randomUUID().slice(0, 8)}`;
  let bridge: RunningBridge;
  let metrics: BridgeMetrics;
  let station: MqttClient;
  let nats: NatsConnection;
  const rejected: string[] = [];
  const env = testBridgeEnv(prefix);
  const start = (connections = env.BRIDGE_CONNECTIONS) =>
    startBridge({
      env: { ...env, BRIDGE_CONNECTIONS: connections },
      logger: pino({ level: 'silent' }),
      metrics,
      onRejected: (r) => void rejected.push(r.reason),
    });
  /** Messages handed to JetStream so far, stored or answered as duplicates. */
  const relayedTotal = async () => (await metrics.relayed.get()).values.reduce((sum, v) => sum + v.value, 0);

  beforeAll(async () => {
    metrics = createBridgeMetrics();
    bridge = await start();
    station = await connectMqtt(env.MQTT_URL, { clientId: `${prefix}-station` });
    nats = await connectNats(env.NATS_URL, 'bridge-test');
  });

  afterAll(async () => {
    await station?.endAsync();
    await bridge?.stop({ leaveGroup: true });
    await cleanup(nats);
    await nats?.close();
  });

  const storedMessages = () =>
    streamMessages(nats, subjects.stationEventsStream, subjects.stationEvent(sn, '*'));

  it('relays a heartbeat published on MQTT to station.{sn}.evt.heartbeat with its message id', async () => {
    const msgId = randomUUID();
    await station.publishAsync(topics.up(sn, 'heartbeat'), heartbeat(1, msgId), { qos: 1 });
    await expect.poll(async () => (await storedMessages()).length, { timeout: 5000 }).toBe(1);
    const [message] = await storedMessages();
    expect(message).toMatchObject({
      subject: subjects.stationEvent(sn, 'heartbeat'),
      msgId,
      data: { seq: 1 },
    });
  });

  it('stores a repeated message id once (JetStream de-duplication)', async () => {
    const msgId = randomUUID();
    const relayed = await relayedTotal();
    await station.publishAsync(topics.up(sn, 'heartbeat'), heartbeat(2, msgId), { qos: 1 });
    await station.publishAsync(topics.up(sn, 'heartbeat'), heartbeat(2, msgId), { qos: 1 });
    await expect.poll(async () => (await storedMessages()).length, { timeout: 5000 }).toBe(2);
    // Both copies were handed to JetStream (the bridge counts a message once JetStream answered):
    // what the stream holds now is all it will hold of them.
    await expect.poll(relayedTotal, { timeout: 5000 }).toBe(relayed + 2);
    expect((await storedMessages()).filter((m) => m.msgId === msgId)).toHaveLength(1);
  });

  it('hears only its own topic root: a station of another fleet on the same broker is not relayed', async () => {
    // A marker published after the other fleet's message shows the bridge has moved past it only if
    // both would travel one connection: the broker keeps a client's order on each connection, and
    // several connections relay in parallel. So this test's bridge has one.
    await bridge.stop({ leaveGroup: true });
    bridge = await start(1);
    try {
      const before = (await storedMessages()).length;
      const otherFleet = stationTopics(`${prefix}-other`);
      await station.publishAsync(otherFleet.up(sn, 'heartbeat'), heartbeat(5), { qos: 1 });
      const marker = randomUUID();
      await station.publishAsync(topics.up(sn, 'heartbeat'), heartbeat(6, marker), { qos: 1 });
      await expect
        .poll(async () => (await storedMessages()).some((m) => m.msgId === marker), { timeout: 5000 })
        .toBe(true);
      expect((await storedMessages()).length).toBe(before + 1);
      expect(rejected).toEqual([]);
    } finally {
      await bridge.stop({ leaveGroup: true });
      bridge = await start();
    }
  });

  it('drops and counts malformed and unknown messages without relaying them', async () => {
    const before = (await storedMessages()).length;
    await station.publishAsync(topics.up(sn, 'heartbeat'), '{not json', { qos: 1 });
    await station.publishAsync(
      topics.up(sn, 'heartbeat'),
      JSON.stringify({ v: 1, kind: 'heartbeat', seq: -1 }),
      { qos: 1 },
    );
    await station.publishAsync(topics.up(sn, 'teleport'), heartbeat(3), { qos: 1 });
    await expect.poll(() => rejected.length, { timeout: 5000 }).toBe(3);
    expect(rejected.sort()).toEqual(['invalid_json', 'invalid_payload', 'unknown_kind']);
    const counted = await metrics.rejected.get();
    expect(counted.values.reduce((sum, v) => sum + v.value, 0)).toBe(3);
    // Still alive: a valid message after the bad ones goes through.
    await station.publishAsync(topics.up(sn, 'heartbeat'), heartbeat(4), { qos: 1 });
    await expect.poll(async () => (await storedMessages()).length, { timeout: 5000 }).toBe(before + 1);
  });

  it('a restart loses nothing: what stations publish while the bridge is down is relayed when it is back', async () => {
    const before = (await storedMessages()).length;
    // A restart, not a retirement: the bridge's persistent sessions stay in the shared group.
    await bridge.stop();
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const [i, id] of ids.entries()) {
      await station.publishAsync(topics.up(sn, 'heartbeat'), heartbeat(100 + i, id), { qos: 1 });
    }
    bridge = await start();
    await expect.poll(async () => (await storedMessages()).length, { timeout: 10_000 }).toBe(before + 5);
    expect((await storedMessages()).map((m) => m.msgId)).toEqual(expect.arrayContaining(ids));
  });

  it('a burst from one station, relayed many at a time on one connection, is stored in the order it was sent', async () => {
    // One bridge connection: the broker keeps a client's order on it, and the bridge has up to
    // 256 of them in flight to JetStream at once (the PUBACKs wait); the stream must keep that order.
    await bridge.stop({ leaveGroup: true });
    bridge = await start(1);
    try {
      const burstSn = `${sn}B`;
      const ids = Array.from({ length: 400 }, () => randomUUID());
      await Promise.all(
        ids.map((id, i) =>
          station.publishAsync(topics.up(burstSn, 'heartbeat'), heartbeat(i + 1, id), { qos: 1 }),
        ),
      );
      const stored = () =>
        streamMessages(nats, subjects.stationEventsStream, subjects.stationEvent(burstSn, '*'));
      await expect.poll(async () => (await stored()).length, { timeout: 15_000 }).toBe(ids.length);
      expect((await stored()).map((m) => m.msgId)).toEqual(ids);
    } finally {
      await bridge.stop({ leaveGroup: true });
      bridge = await start();
    }
  });
});
