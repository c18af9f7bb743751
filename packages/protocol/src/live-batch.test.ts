import { describe, expect, it } from 'vitest';
import {
  LiveBatch,
  type LiveSlot,
  LiveSlotsDecoder,
  liveBatchTransform,
  type SlotsWire,
  slotsChange,
  slotsEntry,
} from './live-batch.ts';

const slot = (n: number, powerBankSerial: string | null, battery: number | null = null): LiveSlot => ({
  slot: n,
  state: powerBankSerial ? 'charging' : 'empty',
  powerBankSerial,
  battery,
});

/** The stream's side of the hub: each state as an entry against the station's previous one. */
function encoder() {
  const last = new Map<string, readonly LiveSlot[]>();
  return (sn: string, slots: readonly LiveSlot[], receivedAt = 1) => {
    const change = slotsChange(slots, last.get(sn));
    last.set(sn, slots);
    return change && slotsEntry(sn, receivedAt, change);
  };
}

describe('slotsChange: what a slots event sends', () => {
  it('the changed slots only; nothing when nothing changed; all when there was no state or the layout differs', () => {
    const before = [slot(1, 'A', 90), slot(2, null), slot(3, 'C', 40)];
    expect(slotsChange(before, undefined)).toEqual({
      full: true,
      values: [1, 'charging', 'A', 90, 2, 'empty', null, null, 3, 'charging', 'C', 40],
    });
    expect(slotsChange([...before], before)).toBeUndefined();
    expect(slotsChange([slot(1, 'A', 90), slot(2, 'B', 10), slot(3, 'C', 41)], before)).toEqual({
      full: false,
      values: [2, 'charging', 'B', 10, 3, 'charging', 'C', 41],
    });
    expect(slotsChange([slot(1, 'A', 90), slot(2, null)], before)?.full).toBe(true);
    expect(slotsChange([slot(1, 'A', 90), slot(2, null), slot(4, 'C', 40)], before)?.full).toBe(true);
  });
});

describe('LiveSlotsDecoder: a stream made whole again', () => {
  it('changes apply to the state the stream was told, unchanged slots kept as they were', () => {
    const encode = encoder();
    const decoder = new LiveSlotsDecoder();
    const states = [
      [slot(1, 'A', 90), slot(2, null), slot(3, null)],
      [slot(1, null), slot(2, null), slot(3, null)],
      [slot(1, null), slot(2, 'B', 60), slot(3, 'C', 70)],
      [slot(1, 'D', 50), slot(2, 'B', 61), slot(3, 'C', 70)],
    ];
    // The first message of a stream is its reset (here: nothing known yet), then the changes.
    expect(decoder.decode({ slots: [], reset: true })).toEqual([]);
    const decoded = states.map((slots, i) => decoder.decode({ slots: [encode('S1', slots, 100 + i)!] }));
    expect(decoded).toEqual(states.map((slots, i) => [{ sn: 'S1', slots, receivedAt: 100 + i }]));
    // The last change named slots 1 and 2: slot 3 is the object the previous event had.
    expect(decoded[3]![0]!.slots[2]).toBe(decoded[2]![0]!.slots[2]);
  });

  it("a reset yields nothing on a stream's first batch, then the stations that differ from what it knew", () => {
    const decoder = new LiveSlotsDecoder();
    const reset = (entries: [string, LiveSlot[]][]): SlotsWire => ({
      slots: entries.map(([sn, slots]) => slotsEntry(sn, 5, slotsChange(slots, undefined)!)),
      reset: true,
    });
    expect(
      decoder.decode(
        reset([
          ['S1', [slot(1, 'A')]],
          ['S2', [slot(1, null)]],
        ]),
      ),
    ).toEqual([]);
    const again = decoder.decode(
      reset([
        ['S1', [slot(1, 'A')]],
        ['S2', [slot(1, 'B')]],
        ['S3', [slot(1, null)]],
      ]),
    );
    expect(again).toEqual([
      { sn: 'S2', slots: [slot(1, 'B')], receivedAt: 5 },
      { sn: 'S3', slots: [slot(1, null)], receivedAt: 5 },
    ]);
    // The reset is what later changes apply to.
    expect(
      decoder.decode({ slots: [slotsEntry('S3', 6, slotsChange([slot(1, 'C')], [slot(1, null)])!)] }),
    ).toEqual([{ sn: 'S3', slots: [slot(1, 'C')], receivedAt: 6 }]);
  });
});

describe('liveBatchTransform: one JSON text per batch on the wire', () => {
  it('a batch of events comes back decoded; a compact one comes back as its wire form, for its stream to decode', () => {
    const roundTrip = (batch: LiveBatch<unknown>) =>
      liveBatchTransform.deserialize(
        JSON.parse(JSON.stringify({ batch: liveBatchTransform.serialize(batch) })).batch as string,
      );
    const plain = roundTrip(new LiveBatch([{ sn: 'S1', status: 'offline' }]));
    expect(plain.decoded).toBe(true);
    expect(plain.events).toEqual([{ sn: 'S1', status: 'offline' }]);
    const wire: SlotsWire = { slots: [['S1', 7, 0, 2, 'empty', null, null]] };
    const compact = roundTrip(new LiveBatch([{ sn: 'S1', slots: [] }], wire));
    expect(compact.decoded).toBe(false);
    expect(compact.wire).toEqual(wire);
    expect(() => compact.events).toThrow(/decode/);
  });
});
