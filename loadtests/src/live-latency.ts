/** What bench:live's client processes and the parent share: the event key and a latency histogram. */

/** What of a slot tells its states apart. */
interface SlotState {
  state: string;
  powerBankSerial: string | null;
  battery: number | null;
}

/**
 * A station's whole state as one key: the event on NATS and the delivery carry the same. Made per
 * event per client, so a short concatenation rather than JSON text of the slots (~1 KB).
 */
export const stationStateKey = (event: { sn: string; slots: readonly SlotState[] }) => {
  let key = event.sn;
  for (const slot of event.slots) key += `|${slot.state}${slot.powerBankSerial ?? ''}:${slot.battery ?? ''}`;
  return key;
};

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
