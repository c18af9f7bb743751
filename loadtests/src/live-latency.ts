/** What bench:live's client processes and the parent share: the events' times and a latency histogram. */

/** What of a slot tells its states apart. */
interface SlotState {
  state: string;
  powerBankSerial: string | null;
  battery: number | null;
}

/** A station's whole state as one key: the event on NATS and the delivery carry the same. */
const stationStateKey = (event: { sn: string; slots: readonly SlotState[] }) => {
  let key = event.sn;
  for (const slot of event.slots) key += `|${slot.state}${slot.powerBankSerial ?? ''}:${slot.battery ?? ''}`;
  return key;
};

/**
 * When this process saw each station state on NATS, for the deliveries of it. Every client of the
 * process gets each event: the state's key is made once per event (the api's receipt time and the
 * station name it), not once per delivery, so the benchmark's own work per delivery is two lookups.
 * An event not seen on NATS (yet) is looked up again at each delivery, by its key made once per
 * event object (the typed client hands a process's streams the same frozen event).
 */
export class StateTimes {
  readonly #byState = new Map<string, number>();
  readonly #byEvent = new Map<string, Map<number, number>>();
  readonly #keys = new WeakMap<object, string>();

  /** The latest: a slot taken out brings a station back to a state it had before. */
  seen(event: { sn: string; slots: readonly SlotState[] }, at: number): void {
    this.#byState.set(stationStateKey(event), at);
  }

  /** When the state `event` carries was seen on NATS (undefined: not seen). */
  sentAt(event: { sn: string; slots: readonly SlotState[]; receivedAt: number }): number | undefined {
    let events = this.#byEvent.get(event.sn);
    if (!events) {
      events = new Map();
      this.#byEvent.set(event.sn, events);
    }
    let sent = events.get(event.receivedAt);
    if (sent === undefined) {
      let key = this.#keys.get(event);
      if (key === undefined) {
        key = stationStateKey(event);
        // Only a frozen event is the same state at every delivery.
        if (Object.isFrozen(event) && Object.isFrozen(event.slots)) this.#keys.set(event, key);
      }
      sent = this.#byState.get(key);
      if (sent !== undefined) events.set(event.receivedAt, sent);
    }
    return sent;
  }
}

/** Latencies in 1 ms buckets (the last bucket holds everything slower), mergeable across processes. */
export class LatencyHistogram {
  constructor(readonly buckets: number[] = Array.from({ length: 60_001 }, () => 0)) {}

  add(ms: number): void {
    const bucket = Math.min(Math.max(0, Math.round(ms)), this.buckets.length - 1);
    this.buckets[bucket] = (this.buckets[bucket] ?? 0) + 1;
  }

  merge(other: number[]): void {
    other.forEach((count, i) => {
      this.buckets[i] = (this.buckets[i] ?? 0) + count;
    });
  }

  get count(): number {
    return this.buckets.reduce((sum, n) => sum + n, 0);
  }

  /** The smallest latency at or under which `p` % of the deliveries arrived. */
  percentile(p: number): number {
    const total = this.count;
    if (total === 0) return 0;
    const rank = Math.ceil((p / 100) * total);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= rank) return i;
    }
    return this.buckets.length - 1;
  }

  max(): number {
    for (let i = this.buckets.length - 1; i >= 0; i--) if ((this.buckets[i] ?? 0) > 0) return i;
    return 0;
  }
}
