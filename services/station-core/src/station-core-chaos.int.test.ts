import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { registerStations } from '@powerbank/db';
import { connectNats, type NatsConnection } from '@powerbank/messaging';
import { stationPartition } from '@powerbank/protocol';
import { createSimulator, type Simulator } from '@powerbank/station-simulator';
import {
  createTestOrm,
  freePort,
  newNatsPrefix,
  spawnService,
  stopService,
  type TestOrm,
  tearDown,
  testBridgeEnv,
} from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Chaos with real processes: three station-core instances and two bridges, each its own process,
 * under a steady load of simulated stations and dispenses, SIGKILLed and restarted in turn. NATS
 * comes from NATS_URL (one server, or the cluster infra/services starts).
 */
const PARTITIONS = 12;
const LEASE_TTL_MS = 3000;
const EJECT_TIMEOUT_MS = 4000;
const STATIONS = 48;

interface Proc {
  name: string;
  env: Record<string, string>;
  entry: string;
  health: string;
  child?: ChildProcess;
}

/** Polls until `check` holds (expect.poll is for tests only, not their setup). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function healthy(url: string): Promise<void> {
  await until(url, async () => (await fetch(url)).ok);
}

async function start(proc: Proc): Promise<void> {
  proc.child = spawnService(proc.entry, proc.env);
  await healthy(proc.health);
}

describe('station-core, bridges and NATS under chaos (3 cores, 2 bridges, real processes)', () => {
  let db: TestOrm;
  let nats: NatsConnection;
  let sim: Simulator;
  let cleanupPrefix: (nc: NatsConnection) => Promise<void>;
  const cores: Proc[] = [];
  const bridges: Proc[] = [];
  /** Every event a station published (broker acknowledged), by message id: station and when. */
  const published = new Map<string, { sn: string; kind: string; at: number }>();
  /** Every event a core persisted (or found already persisted), by message id: when first. */
  const persisted = new Map<string, number>();
  /**
   * Dispense outcomes core published, by command id and whether late: an eject that timed out and
   * then succeeded is told twice by design (the timeout, then the late success).
   */
  const outcomes = new Map<string, number>();
  const stations = Array.from({ length: STATIONS }, (_, i) => ({
    sn: `CH${i}-${randomUUID().slice(0, 8)}`,
    slotCount: 4,
    powerBanks: [1, 2, 3].map((slot) => ({
      slot,
      serial: `CH${i}-PB${slot}-${randomUUID().slice(0, 6)}`,
      battery: 90,
    })),
  }));
  let load: { stop(): Promise<void> } | undefined;
  /** A killed process coming back; the next test waits for it first. */
  let restarting: Promise<void> = Promise.resolve();

  const sql = <T>(text: string, params: unknown[] = []) =>
    db.orm.em.fork().getConnection().execute<T[]>(text, params);

  /** Which instance holds each partition's lease now. */
  const owners = async (prefix: string): Promise<Map<number, string>> => {
    const kv = await new Kvm(nats).open(`${prefix}_CORE_LEASES`);
    const result = new Map<number, string>();
    for (let p = 0; p < PARTITIONS; p += 1) {
      const entry = await kv.get(`partition.${p}`);
      if (entry?.operation === 'PUT') result.set(p, entry.string());
    }
    return result;
  };

  /** Dispenses at random stations, a few a second, through any core instance (it forwards to the owner). */
  const startLoad = () => {
    let running = true;
    const inFlight = new Set<Promise<unknown>>();
    const timer = setInterval(() => {
      if (!running) return;
      const { sn } = stations[Math.floor(Math.random() * stations.length)]!;
      const request = nats
        .request(
          `${prefixOf()}.core.dispense`,
          JSON.stringify({ stationSn: sn, rentalId: randomUUID(), commandId: randomUUID() }),
          { timeout: EJECT_TIMEOUT_MS + 6000 },
        )
        // No responder while a partition changes hands, or a timeout when its core was killed: the
        // caller would ask again; what is checked is that no command is left open.
        .catch(() => undefined);
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    }, 150);
    return {
      async stop() {
        running = false;
        clearInterval(timer);
        await Promise.allSettled([...inFlight]);
      },
    };
  };
  let prefix = '';
  const prefixOf = () => prefix;

  beforeAll(async () => {
    db = await createTestOrm();
    const natsPrefix = newNatsPrefix();
    prefix = natsPrefix.prefix;
    cleanupPrefix = natsPrefix.cleanup;
    const env = testBridgeEnv(prefix);
    nats = await connectNats(env.NATS_URL, 'chaos-test');
    nats.subscribe(`${prefix}.core.evt.processed`, {
      callback: (_e, m) => {
        for (const [msgId, at] of m.json<[string, number, number][]>())
          if (!persisted.has(msgId)) persisted.set(msgId, at);
      },
    });
    nats.subscribe(`${prefix}.core.evt.dispense`, {
      callback: (_e, m) => {
        const { commandId, late } = m.json<{ commandId: string; late?: boolean }>();
        const key = `${commandId}${late ? ':late' : ''}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      },
    });
    const common = {
      DATABASE_URL: db.db.url,
      NATS_PREFIX: prefix,
      CORE_PARTITIONS: String(PARTITIONS),
      LOG_LEVEL: 'warn',
      DB_POOL_MIN: '0',
    };
    for (let i = 1; i <= 2; i += 1) {
      const port = await freePort();
      bridges.push({
        name: `bridge-${i}`,
        entry: 'services/mqtt-bridge/src/main.ts',
        health: `http://127.0.0.1:${port}/metrics`,
        env: {
          ...common,
          DB_POOL_MAX: '2',
          BRIDGE_SHARE_GROUP: prefix,
          MQTT_TOPIC_ROOT: prefix,
          MQTT_CLIENT_ID: `${prefix}-bridge-${i}`,
          BRIDGE_METRICS_PORT: String(port),
        },
      });
    }
    for (let i = 1; i <= 3; i += 1) {
      const port = await freePort();
      cores.push({
        name: `core-${i}`,
        entry: 'services/station-core/src/main.ts',
        health: `http://127.0.0.1:${port}/health`,
        env: {
          ...common,
          DB_POOL_MAX: '5',
          CORE_INSTANCE_ID: `core-${i}`,
          CORE_LEASE_TTL_MS: String(LEASE_TTL_MS),
          // Events a killed instance had taken come back to the new owner this soon.
          CORE_ACK_WAIT_MS: '4000',
          CORE_METRICS_PORT: String(port),
          CORE_TRACE_PROCESSED: 'true',
          EJECT_TIMEOUT_MS: String(EJECT_TIMEOUT_MS),
          HEARTBEAT_INTERVAL_S: '1',
          HEARTBEAT_MISSED_LIMIT: '15',
        },
      });
    }
    await Promise.all([...bridges, ...cores].map(start));
    await registerStations((text) => sql(text), stations);
    sim = createSimulator({
      mqttUrl: env.MQTT_URL,
      topicRoot: prefix,
      stations,
      heartbeatIntervalMs: 500,
      ejectDelayMs: 200,
      autoReturnMs: { min: 300, max: 1500 },
      onPublished: (sn, message) => published.set(message.msgId, { sn, kind: message.kind, at: Date.now() }),
    });
    await sim.start();
    await until(
      'every station online',
      async () =>
        (await sql<{ n: number }>(`select count(*)::int as n from station where status = 'online'`))[0]?.n ===
        STATIONS,
    );
  }, 150_000);

  afterAll(async () => {
    await tearDown([
      ['load', async () => load?.stop()],
      ['simulator', async () => sim?.stop()],
      [
        'processes',
        () => Promise.all([...cores, ...bridges].map((p) => p.child && stopService(p.child, 'SIGKILL'))),
      ],
      ['streams', () => cleanupPrefix(nats)],
      ['nats', () => nats.close()],
      ['database', () => db.close()],
    ]);
  });

  it('spreads the partitions over the three instances', async () => {
    await expect
      .poll(
        async () => {
          const byOwner = new Map<string, number>();
          for (const owner of (await owners(prefix)).values())
            byOwner.set(owner, (byOwner.get(owner) ?? 0) + 1);
          return [...byOwner.values()].sort();
        },
        { timeout: 20_000, interval: 250 },
      )
      .toEqual([4, 4, 4]);
  });

  it('SIGKILL of one core: its stations resume on the others within 10 s', async () => {
    load = startLoad();
    await new Promise((r) => setTimeout(r, 3000));
    const victim = cores[0]!;
    const theirs = [...(await owners(prefix))].filter(([, owner]) => owner === 'core-1').map(([p]) => p);
    expect(theirs.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    await stopService(victim.child!, 'SIGKILL');

    // Every partition has a live owner again, and each of the dead instance's stations has had an
    // event, published after the kill, persisted within 10 s of it.
    await expect
      .poll(async () => [...(await owners(prefix)).values()].filter((o) => o !== 'core-1').length, {
        timeout: 10_000,
        interval: 200,
      })
      .toBe(PARTITIONS);
    const orphans = stations.filter(({ sn }) => theirs.includes(stationPartition(sn, PARTITIONS)));
    expect(orphans.length).toBeGreaterThan(0);
    const resumed = (sn: string) =>
      [...published].some(([msgId, p]) => p.sn === sn && p.at > killedAt && persisted.has(msgId));
    await expect
      .poll(() => orphans.filter(({ sn }) => !resumed(sn)).length, {
        timeout: 10_000 - (Date.now() - killedAt),
        interval: 200,
      })
      .toBe(0);
    // Back in the background: the next test waits for it (a loaded machine takes long to start node).
    restarting = start(victim);
  }, 60_000);

  it('SIGKILL of one bridge: the stations keep being heard; what its session held arrives once it is back', async () => {
    await restarting;
    const victim = bridges[0]!;
    await stopService(victim.child!, 'SIGKILL');
    const killedAt = Date.now();
    // The other bridge keeps relaying its share.
    await expect
      .poll(() => [...published].filter(([msgId, p]) => p.at > killedAt && persisted.has(msgId)).length, {
        timeout: 10_000,
        interval: 200,
      })
      .toBeGreaterThan(STATIONS);
    // Back in the background: the next test waits for it (a loaded machine takes long to start node).
    restarting = start(victim);
  }, 60_000);

  it('restarting every process in turn loses nothing and applies nothing twice', async () => {
    await restarting;
    for (const proc of [...cores, ...bridges]) {
      await stopService(proc.child!, 'SIGTERM');
      await start(proc);
    }
    await load?.stop();
    load = undefined;
    // Quiet: no dispense in flight, every released power bank back (auto return), then every
    // published event persisted.
    await new Promise((r) => setTimeout(r, 2500));
    const snapshot = [...published.keys()];
    await expect
      .poll(
        () =>
          snapshot
            .filter((msgId) => !persisted.has(msgId))
            .map((msgId) => ({
              msgId,
              ...published.get(msgId),
              agoMs: Date.now() - published.get(msgId)!.at,
            })),
        { timeout: 30_000, interval: 250 },
      )
      .toEqual([]);

    // No command left open; each dispense outcome published once.
    await expect
      .poll(
        async () =>
          (
            await sql<{ n: number }>(
              `select count(*)::int as n from station_command where status in ('pending', 'sent')`,
            )
          )[0]?.n,
        { timeout: 15_000, interval: 250 },
      )
      .toBe(0);
    expect(outcomes.size).toBeGreaterThan(0);
    expect([...outcomes].filter(([, n]) => n > 1)).toEqual([]);

    // The database says what the stations say: every station online, each slot holding what the
    // simulated station holds, and each of those power banks in a slot, not rented (an event
    // applied twice or lost, or applied out of order, would leave a difference).
    await expect
      .poll(
        async () => {
          const rows = await sql<{
            sn: string;
            slot_index: number;
            serial: string | null;
            bank: string | null;
            status: string;
          }>(
            `select st.serial_number as sn, ss.slot_index, pb.serial_number as serial, pb.status as bank, st.status
               from station_slot ss join station st on st.id = ss.station_id
               left join power_bank pb on pb.id = ss.power_bank_id`, // this test's own database: only its stations
          );
          return rows
            .filter((row) => {
              const slot = sim.station(row.sn).slots.find((s) => s.slot === row.slot_index);
              return (
                row.status !== 'online' ||
                (slot?.powerBank?.serial ?? null) !== row.serial ||
                (row.serial !== null && row.bank !== 'in_slot')
              );
            })
            .map((row) => {
              const slot = sim.station(row.sn).slots.find((s) => s.slot === row.slot_index);
              return `${row.sn}#${row.slot_index} ${row.status} db=${row.serial} (${row.bank}) station=${slot?.powerBank?.serial ?? null}`;
            });
        },
        // A power bank released just before the load stopped comes back by auto return within
        // seconds; on a loaded machine its events take longer to be persisted.
        { timeout: 30_000, interval: 500 },
      )
      .toEqual([]);
  }, 240_000);
});
