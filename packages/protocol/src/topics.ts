import { stationPartition } from './partition.ts';

/**
 * MQTT topics and NATS subjects come only from these functions, never inline
 * strings, so bridge, core and simulator cannot drift apart.
 */
export const PROTOCOL_VERSION = 1;

/** Serial numbers travel in topics and subjects, so they are restricted to safe characters. */
export const SERIAL_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const KIND_PATTERN = /^[a-z-]{1,32}$/;

/** Where station topics live unless configured (`MQTT_TOPIC_ROOT`). */
export const DEFAULT_TOPIC_ROOT = 'stations';
/** One or more topic levels of safe characters: no wildcards, no empty levels. */
export const TOPIC_ROOT_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

export type TopicRoute = { sn: string; kind: string };

/**
 * The MQTT topics of stations under `root` (`{root}/{sn}/up|down/{kind}`).
 * A root of its own lets several fleets share one broker without hearing
 * each other: a bridge subscribes to its root only.
 */
export function stationTopics(root: string = DEFAULT_TOPIC_ROOT) {
  if (!TOPIC_ROOT_PATTERN.test(root)) throw new Error(`invalid MQTT topic root: ${root}`);
  const head = `${root}/`;
  const parse = (topic: string, direction: 'up' | 'down'): TopicRoute | undefined => {
    if (!topic.startsWith(head)) return undefined;
    const parts = topic.slice(head.length).split('/');
    if (parts.length !== 3 || parts[1] !== direction) return undefined;
    const [sn, , kind] = parts as [string, string, string];
    if (!SERIAL_PATTERN.test(sn) || !KIND_PATTERN.test(kind)) return undefined;
    return { sn, kind };
  };
  return {
    root,
    up: (sn: string, kind: string) => `${root}/${sn}/up/${kind}`,
    down: (sn: string, kind: string) => `${root}/${sn}/down/${kind}`,
    /** Every up message of every station; `group` makes it a shared subscription split between bridges. */
    allUp: (group?: string) => (group ? `$share/${group}/${root}/+/up/+` : `${root}/+/up/+`),
    /** What one station subscribes to. */
    allDown: (sn: string) => `${root}/${sn}/down/+`,
    /** Splits `{root}/{sn}/up/{kind}`; undefined for anything else. */
    parseUp: (topic: string) => parse(topic, 'up'),
    /** Splits `{root}/{sn}/down/{kind}`; undefined for anything else. */
    parseDown: (topic: string) => parse(topic, 'down'),
  };
}
export type StationTopics = ReturnType<typeof stationTopics>;

/** The topics under the default root. */
export const topics = stationTopics();

/**
 * NATS subjects, optionally under a prefix (tests use one per run so they never share a stream).
 * Station events carry their station's partition (`stationPartition`) as the token after
 * `station`, so each partition is one consumer's filter; `partitions` must be the same in every
 * process that publishes or consumes them (CORE_PARTITIONS).
 */
export function subjects(prefix = '', partitions = 1) {
  const p = prefix ? `${prefix}.` : '';
  return {
    partitions,
    stationEvent: (sn: string, kind: string) =>
      `${p}station.${stationPartition(sn, partitions)}.${sn}.evt.${kind}`,
    stationCommand: (sn: string, kind: string) => `${p}station.${sn}.cmd.${kind}`,
    allStationEvents: `${p}station.*.*.evt.>`,
    /** The events of the stations of one partition (one durable consumer each). */
    partitionEvents: (partition: number) => `${p}station.${partition}.*.evt.>`,
    /**
     * Requests (`dispense`, `command`) forwarded to the core instance that owns a partition: any
     * instance takes them from the queue group and hands them to the owner with the same reply.
     */
    partitionRequest: (partition: number, kind: 'dispense' | 'command') =>
      `${p}core.partition.${partition}.${kind}`,
    allStationCommands: `${p}station.*.cmd.>`,
    /** JetStream stream holding every station event. */
    stationEventsStream: `${prefix ? `${prefix}_` : ''}STATION_EVENTS`,
    /** Request/reply: a rental asks station-core to dispense (`dispenseRequest` → `dispenseResponse`). */
    coreDispense: `${p}core.dispense`,
    /** Request/reply: admin commands (`stationCommandRequest` → `stationCommandResponse`). */
    coreCommand: `${p}core.command`,
    /**
     * What station actors report, after it committed: for rentals `dispense` results (incl. late
     * ones), `return`, `missing`; `station` when a station's status or slots changed (`stationChangedEvent`).
     */
    coreEvent: (kind: 'dispense' | 'return' | 'missing' | 'station') => `${p}core.evt.${kind}`,
    /** Every `coreEvent` and `rentalEvent` in one subject (the api's live hub: one subscription). */
    liveEvents: `${p}*.evt.*`,
    /**
     * What happened to rentals, after it committed: `settled` when a return closed one
     * (`rentalSettledEvent`), for whoever follows rentals (push, analytics) without polling.
     */
    rentalEvent: (kind: 'settled') => `${p}rental.evt.${kind}`,
  };
}
export type Subjects = ReturnType<typeof subjects>;
