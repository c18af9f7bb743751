import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { registerStations } from '@powerbank/db';
import { connectNats, type NatsConnection } from '@powerbank/messaging';
import {
  createBridgeMetrics,
  type RunningBridge,
  recordRejection,
  startBridge,
} from '@powerbank/mqtt-bridge';
import { stationTopics, subjects as subjectsFor } from '@powerbank/protocol';
import { createSimulator, type SimulatorOptions } from '@powerbank/station-simulator';
import { createTestOrm, newNatsPrefix, type TestOrm, tearDown, testBridgeEnv } from '@powerbank/testing';
import pino from 'pino';
import { expect } from 'vitest';
import { type RunningStationCore, type StationCoreOptions, startStationCore } from '../core.ts';

export const HEARTBEAT_MS = 400;
/**
 * Heartbeats a station may miss before the watchdog marks it offline: 3.2 s of
 * silence. With 3 (1.2 s), healthy stations went offline in CI and a rental
 * start met a 422 "station offline"; at least some of those were the watchdog
 * timing out a station between its `status online` and its hello (fixed in
 * `heartbeat-watchdog.ts`); 8 stays as room for late heartbeats under load.
 */
export const HEARTBEAT_MISSED_LIMIT = 8;
/**
 * How long core waits for an eject result. 1.5 s looked too tight under the
 * whole suite's load: healthy rentals failed as "timeout" in CI. At least some
 * of those were results dropped as stale after a heartbeat overtook them (fixed
 * in the station machine's ordering); 4 s stays as room for a loaded machine.
 */
export const EJECT_TIMEOUT_MS = 4000;

/**
 * The real path end to end for one test file: a private database and NATS
 * prefix, a bridge on the real Mosquitto, station-core in-process, and
 * simulators speaking the real protocol.
 */
export async function startCoreHarness(
  overrides: Partial<StationCoreOptions> = {},
  options: { inProcessCore?: boolean; maxDeliver?: number } = {},
) {
  const db: TestOrm = await createTestOrm();
  const { prefix, cleanup } = newNatsPrefix();
  // Every test file's stations under a topic root of its own: with one shared root each file's
  // bridge relayed every other file's station traffic into its core, which loaded the machine for all.
  const env = testBridgeEnv(prefix);
  const logger = pino({ level: 'silent' });
  const bridgeMetrics = createBridgeMetrics();
  const bridge: RunningBridge = await startBridge({
    env,
    logger,
    metrics: bridgeMetrics,
    onRejected: recordRejection(db.orm),
  });
  const nats: NatsConnection = await connectNats(env.NATS_URL, 'core-test');
  const coreEnv = {
    NATS_PREFIX: prefix,
    HEARTBEAT_INTERVAL_S: 1,
    HEARTBEAT_INTERVAL_MS: HEARTBEAT_MS,
    HEARTBEAT_MISSED_LIMIT,
    EJECT_TIMEOUT_MS,
    CORE_EVENT_MAX_DELIVER: options.maxDeliver,
  };
  const subjects = subjectsFor(prefix);
  // Core's consumer (the name a spawned core gives it too), named here so a test can read how far
  // it has acknowledged.
  const durableName = overrides.durableName ?? `${prefix}_station-core`;
  // Every event the in-process core handled (applied, or dropped as a duplicate or stale), by message
  // id: the positive marker a test waits on before it says an event changed nothing.
  const processed = new Map<string, number>();
  const coreOptions: Omit<StationCoreOptions, 'env' | 'orm' | 'nats' | 'logger'> = {
    ...overrides,
    durableName,
    onProcessed: (msg) => {
      processed.set(msg.msgId, (processed.get(msg.msgId) ?? 0) + 1);
      overrides.onProcessed?.(msg);
    },
  };
  let core: RunningStationCore | undefined =
    options.inProcessCore === false
      ? undefined
      : await startStationCore({ env: coreEnv, orm: db.orm, nats, logger, ...coreOptions });
  const simulators: ReturnType<typeof createSimulator>[] = [];

  const sql = <T>(query: string, params: unknown[] = []) =>
    db.orm.em.fork().getConnection().execute<T[]>(query, params);

  return {
    prefix,
    topics: stationTopics(env.MQTT_TOPIC_ROOT),
    db,
    nats,
    env,
    sql,
    /** The bridge's counters: `relayed` moves once JetStream answered for a message (stored or a duplicate). */
    bridgeMetrics,
    /** How many times the in-process core has handled the event with this message id. */
    timesProcessed: (msgId: string) => processed.get(msgId) ?? 0,
    /** How many `kind` events of station `sn` the stream holds (what waits there while core is down). */
    async storedEvents(sn: string, kind: string): Promise<number> {
      const subject = subjects.stationEvent(sn, kind);
      const jsm = await jetstreamManager(nats);
      const info = await jsm.streams.info(subjects.stationEventsStream, { subjects_filter: subject });
      return info.state.subjects?.[subject] ?? 0;
    },
    /**
     * Waits until the in-process core has acknowledged every event the stream holds now: whatever
     * the bridge relayed before this call has then been applied or dropped, whichever of the bridge's
     * parallel connections carried it.
     */
    async coreCaughtUp(): Promise<void> {
      const jsm = await jetstreamManager(nats);
      const stored = (await jsm.streams.info(subjects.stationEventsStream)).state.last_seq;
      await expect
        .poll(
          async () =>
            (await jsm.consumers.info(subjects.stationEventsStream, durableName)).ack_floor.stream_seq,
          { timeout: 10_000, interval: 50 },
        )
        .toBeGreaterThanOrEqual(stored);
    },
    get core() {
      if (!core) throw new Error('core stopped');
      return core;
    },
    async stopCore() {
      await core?.stop();
      core = undefined;
    },
    async restartCore() {
      await core?.stop();
      core = await startStationCore({ env: coreEnv, orm: db.orm, nats, logger, ...coreOptions });
    },
    newSerial: (label = 'S') => `${label}${randomUUID().replaceAll('-', '').slice(0, 10)}`,
    /** Provisions stations as an admin would: station-core refuses events from serials not registered. */
    register: (stations: { sn: string; slotCount: number }[]) =>
      registerStations((text) => sql(text), stations),
    /** Simulated stations, registered first. */
    async simulator(options: Omit<SimulatorOptions, 'mqttUrl'>) {
      await registerStations((text) => sql(text), options.stations);
      const sim = createSimulator({
        mqttUrl: env.MQTT_URL,
        topicRoot: env.MQTT_TOPIC_ROOT,
        heartbeatIntervalMs: HEARTBEAT_MS,
        ...options,
      });
      simulators.push(sim);
      await sim.start();
      return sim;
    },
    /** Asks station-core to dispense, as the rental flow does. */
    async dispense(stationSn: string, commandId: string = randomUUID(), rentalId: string = randomUUID()) {
      const reply = await nats.request(
        `${prefix}.core.dispense`,
        new TextEncoder().encode(JSON.stringify({ stationSn, rentalId, commandId })),
        { timeout: EJECT_TIMEOUT_MS + 5000 },
      );
      return reply.json<Record<string, unknown>>();
    },
    slots: (sn: string) =>
      sql<{ slot_index: number; status: string; serial: string | null; battery_level: number | null }>(
        `select ss.slot_index, ss.status, pb.serial_number as serial, ss.battery_level
           from station_slot ss join station st on st.id = ss.station_id
           left join power_bank pb on pb.id = ss.power_bank_id
          where st.serial_number = ? order by ss.slot_index`,
        [sn],
      ),
    station: async (sn: string) =>
      (
        await sql<{ status: string; slot_count: number; last_heartbeat_at: Date | null }>(
          'select status, slot_count, last_heartbeat_at from station where serial_number = ?',
          [sn],
        )
      )[0],
    powerBank: async (serial: string) =>
      (
        await sql<{ status: string; current_rental_id: string | null; current_slot_index: number | null }>(
          'select status, current_rental_id, current_slot_index from power_bank where serial_number = ?',
          [serial],
        )
      )[0],
    async close() {
      await tearDown([
        ['simulators', () => Promise.all(simulators.map((sim) => sim.stop().catch(() => undefined)))],
        ['station-core', async () => core?.stop()],
        ['bridge', () => bridge.stop({ leaveGroup: true })],
        ['streams', () => cleanup(nats)],
        ['nats', () => nats.close()],
        ['database', () => db.close()],
      ]);
    },
  };
}
export type CoreHarness = Awaited<ReturnType<typeof startCoreHarness>>;
