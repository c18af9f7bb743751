/**
 * MQTT topics and NATS subjects come only from these functions, never inline
 * strings, so bridge, core and simulator cannot drift apart.
 */
export const PROTOCOL_VERSION = 1;

/** Serial numbers travel in topics and subjects, so they are restricted to safe characters. */
export const SERIAL_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const KIND_PATTERN = /^[a-z-]{1,32}$/;

export const topics = {
  up: (sn: string, kind: string) => `stations/${sn}/up/${kind}`,
  down: (sn: string, kind: string) => `stations/${sn}/down/${kind}`,
  /** Every up message of every station; `group` makes it a shared subscription split between bridges. */
  allUp: (group?: string) => (group ? `$share/${group}/stations/+/up/+` : 'stations/+/up/+'),
  /** What one station subscribes to. */
  allDown: (sn: string) => `stations/${sn}/down/+`,
} as const;

export type TopicRoute = { sn: string; kind: string };

/** Splits `stations/{sn}/up/{kind}`; undefined for anything else. */
export function parseUpTopic(topic: string): TopicRoute | undefined {
  return parseStationTopic(topic, 'up');
}

/** Splits `stations/{sn}/down/{kind}`; undefined for anything else. */
export function parseDownTopic(topic: string): TopicRoute | undefined {
  return parseStationTopic(topic, 'down');
}

function parseStationTopic(topic: string, direction: 'up' | 'down'): TopicRoute | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'stations' || parts[2] !== direction) return undefined;
  const [, sn, , kind] = parts as [string, string, string, string];
  if (!SERIAL_PATTERN.test(sn) || !KIND_PATTERN.test(kind)) return undefined;
  return { sn, kind };
}

/** NATS subjects, optionally under a prefix (tests use one per run so they never share a stream). */
export function subjects(prefix = '') {
  const p = prefix ? `${prefix}.` : '';
  return {
    stationEvent: (sn: string, kind: string) => `${p}station.${sn}.evt.${kind}`,
    stationCommand: (sn: string, kind: string) => `${p}station.${sn}.cmd.${kind}`,
    allStationEvents: `${p}station.*.evt.>`,
    allStationCommands: `${p}station.*.cmd.>`,
    /** JetStream stream holding every station event. */
    stationEventsStream: `${prefix ? `${prefix}_` : ''}STATION_EVENTS`,
    /** Request/reply: a rental asks station-core to dispense (`dispenseRequest` → `dispenseResponse`). */
    coreDispense: `${p}core.dispense`,
    /** Request/reply: admin commands (`stationCommandRequest` → `stationCommandResponse`). */
    coreCommand: `${p}core.command`,
    /** What station actors report for rentals: `dispense` results (incl. late ones), `return`, `missing`. */
    coreEvent: (kind: 'dispense' | 'return' | 'missing') => `${p}core.evt.${kind}`,
  };
}
export type Subjects = ReturnType<typeof subjects>;
