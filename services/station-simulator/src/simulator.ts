import { sendWithoutDelay } from '@powerbank/messaging';
import {
  type EjectErrorCode,
  encodeMessage,
  parseDownMessage,
  stationTopics,
  type UpMessage,
} from '@powerbank/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { SimulatedStation, type StationSeed } from './simulated-station.ts';

export interface SimulatorOptions {
  mqttUrl: string;
  /** First level(s) of the station topics (`MQTT_TOPIC_ROOT`); the bridge must use the same. */
  topicRoot?: string;
  stations: StationSeed[];
  /** Time the mechanism takes to release a power bank. */
  ejectDelayMs?: number;
  /** Share of ejects that fail with `ejectFailureCode`, 0–1. */
  ejectFailureRate?: number;
  ejectFailureCode?: EjectErrorCode;
  /**
   * Hostile: each eject result and slot event reaches the broker after a heartbeat built after
   * it, as when bridges relaying over several connections deliver a station's messages out of order.
   */
  overtake?: boolean;
  heartbeatIntervalMs?: number;
  /** Battery percent gained per minute by a power bank in a slot. */
  chargePerMinute?: number;
  /** Connections opened at once, then the next batch: thousands of simultaneous CONNECTs overwhelm a broker. */
  connectBatchSize?: number;
  /** Persistent MQTT sessions (the default), so commands sent while a station is away reach it on return. */
  persistentSession?: boolean;
  /**
   * Load tests: a power bank a successful eject released comes back by itself after a
   * random time in [min, max] ms, into the first empty slot of the same station — the
   * return a load test cannot make with its hands. Off when absent.
   */
  autoReturnMs?: { min: number; max: number };
  /** Called after the broker acknowledged each publish; benchmarks use it to time messages. */
  onPublished?: (sn: string, message: UpMessage) => void;
  random?: () => number;
}

export interface SimulatorCounters {
  published: Record<string, number>;
  commandsReceived: Record<string, number>;
  invalidCommands: number;
  duplicatesSent: number;
  outOfOrderSent: number;
  publishErrors: number;
  /** Power banks the simulator put back by itself (`autoReturnMs`). */
  autoReturned: number;
}

export interface StationView {
  sn: string;
  connected: boolean;
  slots: SimulatedStation['slots'];
}

interface Running {
  station: SimulatedStation;
  password?: string;
  client?: MqttClient;
  connected: boolean;
  nextHeartbeatAt: number;
  lastPublished?: { topic: string; payload: Uint8Array; message: UpMessage };
  /** Eject results that finished while the station was offline; sent after the next hello. */
  unsent: UpMessage[];
  timers: Set<NodeJS.Timeout>;
}

const TICK_MS = 250;

/**
 * Many stations speaking the real protocol over MQTT, one client each
 * (client id and username the serial, password as provisioned). One shared timer drives every station's heartbeat and
 * charging, so a process can hold thousands of stations.
 */
export function createSimulator(options: SimulatorOptions) {
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 30_000;
  const random = options.random ?? Math.random;
  const topics = stationTopics(options.topicRoot);
  const counters: SimulatorCounters = {
    published: {},
    commandsReceived: {},
    invalidCommands: 0,
    duplicatesSent: 0,
    outOfOrderSent: 0,
    publishErrors: 0,
    autoReturned: 0,
  };
  const stations = new Map<string, Running>();
  for (const seed of options.stations) {
    if (stations.has(seed.sn)) throw new Error(`station ${seed.sn} listed twice`);
    stations.set(seed.sn, {
      station: new SimulatedStation(seed, heartbeatIntervalMs),
      password: seed.password,
      connected: false,
      nextHeartbeatAt: 0,
      unsent: [],
      timers: new Set(),
    });
  }
  let ticker: NodeJS.Timeout | undefined;
  let lastTick = Date.now();

  const running = (sn: string): Running => {
    const r = stations.get(sn);
    if (!r) throw new Error(`unknown station ${sn}`);
    return r;
  };

  async function publish(r: Running, message: UpMessage, retain = false): Promise<void> {
    const client = r.client;
    if (!client) throw new Error(`${r.station.sn} is not connected`);
    const topic = topics.up(r.station.sn, message.kind);
    const payload = encodeMessage(message);
    r.lastPublished = { topic, payload, message };
    await client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain });
    counters.published[message.kind] = (counters.published[message.kind] ?? 0) + 1;
    options.onPublished?.(r.station.sn, message);
  }

  /** Publishes from timers and message handlers, where nobody awaits: failures are counted, not thrown. */
  function publishLater(r: Running, message: UpMessage): void {
    publish(r, message).catch(() => {
      counters.publishErrors += 1;
    });
  }

  /** A message that changes the station's state, overtaken by a newer heartbeat when `overtake` is on. */
  async function publishState(r: Running, message: UpMessage): Promise<void> {
    if (!options.overtake) return publish(r, message);
    counters.outOfOrderSent += 1;
    await publish(r, r.station.heartbeat());
    await publish(r, message);
  }

  function after(r: Running, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      r.timers.delete(timer);
      fn();
    }, ms);
    r.timers.add(timer);
  }

  function onCommand(r: Running, topic: string, payload: Buffer): void {
    const route = topics.parseDown(topic);
    const parsed = route && route.sn === r.station.sn ? parseDownMessage(route.kind, payload) : undefined;
    if (!parsed?.ok) {
      counters.invalidCommands += 1;
      return;
    }
    counters.commandsReceived[parsed.kind] = (counters.commandsReceived[parsed.kind] ?? 0) + 1;
    const reaction = r.station.react(parsed.message);
    switch (reaction.type) {
      case 'publish':
        for (const message of reaction.messages) publishLater(r, message);
        return;
      case 'eject': {
        const failRate = options.ejectFailureRate ?? 0;
        const failure = random() < failRate ? (options.ejectFailureCode ?? 'jammed') : undefined;
        after(r, options.ejectDelayMs ?? 500, () => {
          const result = r.station.finishEject(reaction.commandId, reaction.slot, failure);
          if (!r.connected) r.unsent.push(result);
          else
            publishState(r, result).catch(() => {
              counters.publishErrors += 1;
            });
          if (result.ok) scheduleAutoReturn(r, result.powerBankSerial);
        });
        return;
      }
      case 'reboot':
        // Down only once the broker has the acknowledgement: a reboot must not swallow it.
        void publish(r, reaction.ack)
          .catch(() => {
            counters.publishErrors += 1;
          })
          .finally(() =>
            after(r, reaction.delayMs, () => {
              void goOffline(r.station.sn).then(() => connect(r, 'boot'));
            }),
          );
        return;
      case 'none':
        return;
    }
  }

  /** The released power bank goes back into the station after `autoReturnMs` (a full station retries later). */
  function scheduleAutoReturn(r: Running, serial: string): void {
    const range = options.autoReturnMs;
    if (!range) return;
    const delay = range.min + Math.floor(random() * (range.max - range.min + 1));
    after(r, delay, () => {
      const slot = r.station.slots.find((s) => !s.powerBank && !s.ejecting && !s.fault && !s.locked);
      if (!slot || !r.connected) return scheduleAutoReturn(r, serial);
      publishState(r, r.station.insert(slot.slot, serial, 50)).catch(() => {
        counters.publishErrors += 1;
      });
      counters.autoReturned += 1;
    });
  }

  async function connect(r: Running, reason: 'boot' | 'reconnect'): Promise<void> {
    const { station } = r;
    const status = station.connectStatus();
    const client = mqtt.connect(options.mqttUrl, {
      // As provisioned: username and client id the serial (a broker that requires accounts binds both).
      clientId: station.sn,
      ...(r.password ? { username: station.sn, password: r.password } : {}),
      protocolVersion: 5,
      clean: options.persistentSession === false,
      properties: options.persistentSession === false ? {} : { sessionExpiryInterval: 3600 },
      // Reconnects are ours to decide (goOnline), so a dropped station stays dropped.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      will: {
        topic: topics.up(station.sn, 'status'),
        payload: Buffer.from(encodeMessage(status.will)),
        qos: 1,
        retain: true,
      },
    });
    sendWithoutDelay(client);
    client.on('message', (topic, payload) => onCommand(r, topic, payload));
    client.on('close', () => {
      r.connected = false;
    });
    // Errors surface through `close`; without a listener mqtt.js would throw.
    client.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('close', () => reject(new Error(`${station.sn} could not connect to ${options.mqttUrl}`)));
    });
    r.client = client;
    r.connected = true;
    await client.subscribeAsync(topics.allDown(station.sn), { qos: 1 });
    await publish(r, status.online, true);
    await publish(r, station.hello(reason));
    for (const message of r.unsent.splice(0)) await publish(r, message);
    // Spread heartbeats so thousands of stations do not beat in step.
    r.nextHeartbeatAt = Date.now() + Math.floor(random() * station.heartbeatIntervalMs);
  }

  function tick(): void {
    const now = Date.now();
    const chargeGain = ((options.chargePerMinute ?? 1) * (now - lastTick)) / 60_000;
    lastTick = now;
    for (const r of stations.values()) {
      r.station.charge(chargeGain);
      if (r.connected && now >= r.nextHeartbeatAt) {
        r.nextHeartbeatAt = now + r.station.heartbeatIntervalMs;
        publishLater(r, r.station.heartbeat(now));
      }
    }
  }

  /** Drops the connection without a DISCONNECT, as a power cut would: the broker then publishes the will. */
  async function goOffline(sn: string): Promise<void> {
    const r = running(sn);
    const client = r.client;
    if (!client) return;
    r.connected = false;
    r.client = undefined;
    await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
  }

  async function startAll(): Promise<void> {
    const batch = options.connectBatchSize ?? 200;
    const all = [...stations.values()];
    for (let i = 0; i < all.length; i += batch) {
      await Promise.all(all.slice(i, i + batch).map((r) => connect(r, 'boot')));
    }
  }

  return {
    async start(): Promise<void> {
      lastTick = Date.now();
      await startAll();
      ticker = setInterval(tick, Math.min(TICK_MS, heartbeatIntervalMs));
      ticker.unref();
    },

    async stop(): Promise<void> {
      if (ticker) clearInterval(ticker);
      ticker = undefined;
      await Promise.all(
        [...stations.values()].map(async (r) => {
          for (const timer of r.timers) clearTimeout(timer);
          r.timers.clear();
          const client = r.client;
          r.client = undefined;
          r.connected = false;
          // A clean DISCONNECT: stopping the simulator is not a power cut, so no will is sent.
          if (client) await client.endAsync();
        }),
      );
    },

    goOffline,

    /** Reconnects a station that went offline; it announces itself with `online` and a `hello`. */
    async goOnline(sn: string): Promise<void> {
      const r = running(sn);
      if (r.connected) return;
      await connect(r, 'reconnect');
    },

    /** A user returns a power bank into a slot (`at`: the station's time of it, default now). */
    insert(sn: string, slot: number, serial: string, battery: number, at?: number): Promise<void> {
      const r = running(sn);
      return publishState(r, r.station.insert(slot, serial, battery, at));
    },

    remove(sn: string, slot: number): Promise<void> {
      const r = running(sn);
      return publishState(r, r.station.remove(slot));
    },

    fault(sn: string, slot: number, error = 'mechanism'): Promise<void> {
      const r = running(sn);
      return publishState(r, r.station.fault(slot, error));
    },

    heartbeat(sn: string): Promise<void> {
      const r = running(sn);
      return publish(r, r.station.heartbeat());
    },

    sync(sn: string): Promise<void> {
      const r = running(sn);
      return publish(r, r.station.hello('sync'));
    },

    /** Publishes the last message again, byte for byte, as a station that missed the PUBACK would. */
    async sendDuplicate(sn: string): Promise<UpMessage> {
      const r = running(sn);
      if (!r.client || !r.lastPublished) throw new Error(`${sn} has nothing to repeat`);
      await r.client.publishAsync(r.lastPublished.topic, Buffer.from(r.lastPublished.payload), { qos: 1 });
      counters.duplicatesSent += 1;
      return r.lastPublished.message;
    },

    /**
     * Sends two heartbeats in the wrong order: the later seq first. The second
     * one published carries the older seq and must be ignored by the cloud.
     */
    async sendOutOfOrder(sn: string): Promise<{ first: UpMessage; stale: UpMessage }> {
      const r = running(sn);
      const stale = r.station.heartbeat();
      const first = r.station.heartbeat();
      await publish(r, first);
      await publish(r, stale);
      counters.outOfOrderSent += 1;
      return { first, stale };
    },

    get stationsState(): StationView[] {
      return [...stations.values()].map((r) => ({
        sn: r.station.sn,
        connected: r.connected,
        slots: r.station.slots,
      }));
    },

    station(sn: string): StationView {
      const r = running(sn);
      return { sn, connected: r.connected, slots: r.station.slots };
    },

    get counters(): SimulatorCounters {
      return counters;
    },

    get connectedCount(): number {
      let n = 0;
      for (const r of stations.values()) if (r.connected) n += 1;
      return n;
    },
  };
}

export type Simulator = ReturnType<typeof createSimulator>;
