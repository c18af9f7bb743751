import { randomUUID } from 'node:crypto';
import {
  type BrokerAdmin,
  connectMqtt,
  connectNats,
  type MqttClient,
  type NatsConnection,
  newBrokerPassword,
  openBrokerAdmin,
  type StationCredentials,
} from '@powerbank/messaging';
import { buildUp, encodeMessage, stationTopics, subjects as subjectsFor } from '@powerbank/protocol';
import { newNatsPrefix, startPrivateMosquitto, streamMessages, testBridgeEnv } from '@powerbank/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBridge, startBridge } from './bridge.ts';
import { createBridgeMetrics } from './metrics.ts';

const heartbeat = () => Buffer.from(encodeMessage(buildUp('heartbeat', { seq: Date.now(), uptimeS: 1 })));
/** MQTT 5 reason code 135: not authorized. */
const NOT_AUTHORIZED = 135;

describe("the broker's boundary (the project's Mosquitto config, private): one account per station", () => {
  const { prefix, cleanup } = newNatsPrefix();
  const topics = stationTopics(prefix);
  const subjects = subjectsFor(prefix);
  const [snA, snB] = [`A${randomUUID().slice(0, 8)}`, `B${randomUUID().slice(0, 8)}`];
  let broker: Awaited<ReturnType<typeof startPrivateMosquitto>>;
  let admin: BrokerAdmin;
  let bridge: RunningBridge;
  let nats: NatsConnection;
  let a: StationCredentials;
  let b: StationCredentials;
  let stationA: MqttClient;
  const clients: MqttClient[] = [];

  const connectAs = async (credentials: Partial<StationCredentials>, clientId = credentials.clientId) => {
    const client = await connectMqtt(broker.url, { ...credentials, clientId, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    broker = await startPrivateMosquitto();
    admin = await openBrokerAdmin(broker.url, broker.admin, { topicRoot: prefix });
    const service = { username: `bridge-${prefix}`, password: newBrokerPassword() };
    await admin.ensureServiceAccount(service, 'bridge');
    a = await admin.issueStationCredentials(snA);
    b = await admin.issueStationCredentials(snB);
    bridge = await startBridge({
      env: {
        ...testBridgeEnv(prefix),
        MQTT_URL: broker.url,
        MQTT_USERNAME: service.username,
        MQTT_PASSWORD: service.password,
      },
      logger: pino({ level: 'silent' }),
      metrics: createBridgeMetrics(),
    });
    nats = await connectNats(testBridgeEnv(prefix).NATS_URL, 'boundary-test');
    stationA = await connectAs(a);
  });

  afterAll(async () => {
    for (const client of clients) await client.endAsync(true).catch(() => undefined);
    await bridge?.stop({ leaveGroup: true });
    await admin?.close();
    await cleanup(nats);
    await nats?.close();
    await broker?.dispose();
  });

  /** The serials of every station event the bridge relayed into JetStream. */
  const relayedSerials = async () =>
    (await streamMessages(nats, subjects.stationEventsStream, subjects.allStationEvents)).map(
      (m) => m.subject.split('.').at(-3)!,
    );

  it("station A publishing on station B's topic is refused (PUBACK not authorized), and nothing of it is relayed", async () => {
    await expect(
      stationA.publishAsync(topics.up(snB, 'heartbeat'), heartbeat(), { qos: 1 }),
    ).rejects.toMatchObject({ code: NOT_AUTHORIZED });
    // A's own message after it: once the bridge relayed that, the forged one would have come before.
    await stationA.publishAsync(topics.up(snA, 'heartbeat'), heartbeat(), { qos: 1 });
    await expect.poll(relayedSerials, { timeout: 5000 }).toContain(snA);
    expect(await relayedSerials()).not.toContain(snB);
  });

  it("station A cannot subscribe to station B's commands, and gets its own", async () => {
    await expect(stationA.subscribeAsync(topics.allDown(snB), { qos: 1 })).rejects.toThrow(/not authorized/i);
    await stationA.subscribeAsync(topics.allDown(snA), { qos: 1 });
    const received: string[] = [];
    stationA.on('message', (topic) => received.push(topic));
    // The bridge's command connection (the service account) sends to B, then to A.
    await bridge.mqtt.publishAsync(topics.down(snB, 'sync'), '{}', { qos: 1 });
    await bridge.mqtt.publishAsync(topics.down(snA, 'sync'), '{}', { qos: 1 });
    await expect.poll(() => received, { timeout: 5000 }).toEqual([topics.down(snA, 'sync')]);
  });

  it("a wrong password, no account, another station's client id or a revoked account cannot connect", async () => {
    await expect(connectAs({ ...a, password: 'wrong-password' })).rejects.toThrow(
      /not authorized|bad user name or password/i,
    );
    await expect(connectAs({}, `anon-${prefix}`)).rejects.toThrow(/not authorized/i);
    await expect(connectAs(a, b.clientId)).rejects.toThrow(/not authorized|identifier/i);
    const sn = `C${randomUUID().slice(0, 8)}`;
    const c = await admin.issueStationCredentials(sn);
    await (await connectAs(c)).endAsync();
    await admin.revokeStation(sn);
    await expect(connectAs(c)).rejects.toThrow(/not authorized|bad user name or password/i);
  });

  it("the api's account (a health probe) connects, and may neither command a station nor hear one", async () => {
    const probe = { username: `api-${prefix}`, password: newBrokerPassword() };
    await admin.ensureServiceAccount(probe, 'probe');
    const api = await connectAs(probe, `api-${prefix}`);
    await expect(api.publishAsync(topics.down(snA, 'eject'), '{}', { qos: 1 })).rejects.toMatchObject({
      code: NOT_AUTHORIZED,
    });
    await expect(api.subscribeAsync(topics.allUp(), { qos: 1 })).rejects.toThrow(/not authorized/i);
  });

  it('a station provisioned again under another topic root publishes under that root, no longer under the first', async () => {
    const sn = `D${randomUUID().slice(0, 8)}`;
    await admin.issueStationCredentials(sn);
    const otherRoot = `${prefix}-other`;
    const otherAdmin = await openBrokerAdmin(broker.url, broker.admin, { topicRoot: otherRoot });
    try {
      const moved = await otherAdmin.issueStationCredentials(sn);
      const station = await connectAs(moved);
      await station.publishAsync(stationTopics(otherRoot).up(sn, 'heartbeat'), heartbeat(), { qos: 1 });
      await expect(
        station.publishAsync(topics.up(sn, 'heartbeat'), heartbeat(), { qos: 1 }),
      ).rejects.toMatchObject({ code: NOT_AUTHORIZED });
    } finally {
      await otherAdmin.close();
    }
  });

  it('provisioning again keeping the account (a second infra/up) leaves a connected station connected and publishing', async () => {
    const sn = `E${randomUUID().slice(0, 8)}`;
    const e = await admin.issueStationCredentials(sn);
    const station = await connectAs(e);
    let closed = 0;
    station.on('close', () => {
      closed += 1;
    });
    const kept = await admin.issueStationCredentials(sn, { password: e.password, keepExisting: true });
    expect(kept.password).toBe(e.password);
    // Acknowledged after the re-provisioning was: a kick would have come before it.
    await station.publishAsync(topics.up(sn, 'heartbeat'), heartbeat(), { qos: 1 });
    expect({ closed, connected: station.connected }).toEqual({ closed: 0, connected: true });
  });

  it('issuing credentials again replaces the password: the old one no longer connects', async () => {
    const again = await admin.issueStationCredentials(snB);
    await expect(connectAs(b)).rejects.toThrow(/not authorized|bad user name or password/i);
    await (await connectAs(again)).endAsync();
  });
});
