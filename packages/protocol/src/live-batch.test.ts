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

describe("a process's streams share what they decode", () => {
  /** A message's batch as the client gets it: the text tRPC's JSON.parse of the frame hands superjson. */
  const received = (batch: LiveBatch<unknown>) =>
    liveBatchTransform.deserialize(
      JSON.parse(JSON.stringify({ batch: liveBatchTransform.serialize(batch) })).batch as string,
    );

  it('the same text is parsed once: one frozen batch, whose events no subscriber can change', () => {
    const events = [{ sn: 'S1', status: 'online', tags: ['a'] }];
    const text = new LiveBatch(events).json;
    // Two streams' copies of the text: equal, not the same string.
    const a = liveBatchTransform.deserialize(`${text} `.trimEnd());
    const b = liveBatchTransform.deserialize(`${text} `.trimEnd());
    expect(b).toBe(a);
    expect(a.events).toEqual(events);
    expect(Object.isFrozen(a.events[0])).toBe(true);
    expect(() => {
      (a.events[0] as { status: string }).status = 'offline';
    }).toThrow(TypeError);
    expect(() => {
      ((a.events[0] as { tags: string[] }).tags as string[]).push('b');
    }).toThrow(TypeError);
    // Another text is another batch.
    expect(liveBatchTransform.deserialize(JSON.stringify([{ sn: 'S2' }]))).not.toBe(a);
  });

  it('keeps a few recent batches only: an old text, or a very large one, is parsed again', () => {
    const text = (n: number) => JSON.stringify([{ sn: `K${n}` }]);
    const first = liveBatchTransform.deserialize(text(0));
    expect(liveBatchTransform.deserialize(text(0))).toBe(first);
    for (let n = 1; n <= 40; n++) liveBatchTransform.deserialize(text(n));
    const again = liveBatchTransform.deserialize(text(0));
    expect(again).not.toBe(first);
    expect(again.events).toEqual(first.events);
    const large = JSON.stringify([{ sn: 'L', pad: 'x'.repeat(5_000_000) }]);
    expect(liveBatchTransform.deserialize(large)).not.toBe(liveBatchTransform.deserialize(large));
  });

  it('streams in step get the same frozen events; a stream that knew another state gets its own, right, events', () => {
    const full = (sn: string, slots: LiveSlot[], at: number) =>
      slotsEntry(sn, at, slotsChange(slots, undefined)!);
    const change = (sn: string, slots: LiveSlot[], before: LiveSlot[], at: number) =>
      slotsEntry(sn, at, slotsChange(slots, before)!);
    const one = [slot(1, 'A', 90), slot(2, null)];
    const other = [slot(1, 'X', 10), slot(2, null)];
    const next = [slot(1, 'A', 90), slot(2, 'B', 50)];
    const inStep = [new LiveSlotsDecoder(), new LiveSlotsDecoder()];
    const apart = new LiveSlotsDecoder();
    const reset = received(new LiveBatch(undefined, { slots: [full('S1', one, 1)], reset: true }));
    for (const decoder of inStep) expect(decoder.decode(reset.wire as SlotsWire)).toEqual([]);
    // This stream was told another state of S1 (another reset: a stream that started elsewhere).
    apart.decode({ slots: [full('S1', other, 1)], reset: true });
    // Slot 2 changed: the entry names slot 2 only.
    const batch = received(new LiveBatch(undefined, { slots: [change('S1', next, one, 2)] }));
    const [a, b] = inStep.map((decoder) => decoder.decode(batch.wire as SlotsWire));
    expect(a).toEqual([{ sn: 'S1', slots: next, receivedAt: 2 }]);
    expect(b![0]).toBe(a![0]);
    expect(Object.isFrozen(a![0])).toBe(true);
    expect(Object.isFrozen(a![0]!.slots)).toBe(true);
    expect(Object.isFrozen(a![0]!.slots[1])).toBe(true);
    expect(() => {
      (a![0]!.slots as LiveSlot[])[0] = slot(1, 'Z');
    }).toThrow(TypeError);
    // The same entry on the stream that knew S1 otherwise: its slot 1 stays what it was told.
    const own = apart.decode(batch.wire as SlotsWire);
    expect(own).toEqual([{ sn: 'S1', slots: [slot(1, 'X', 10), slot(2, 'B', 50)], receivedAt: 2 }]);
    expect(own[0]).not.toBe(a![0]);
    // And the streams in step still share after it.
    const later = received(new LiveBatch(undefined, { slots: [change('S1', one, next, 3)] }));
    const [c, d] = inStep.map((decoder) => decoder.decode(later.wire as SlotsWire));
    expect(c).toEqual([{ sn: 'S1', slots: one, receivedAt: 3 }]);
    expect(d![0]).toBe(c![0]);
  });

  it('a wire form that is not frozen (built in the process, not received) is decoded for its stream alone', () => {
    const entry = slotsEntry('S1', 1, slotsChange([slot(1, 'A')], undefined)!);
    const decoder = new LiveSlotsDecoder();
    decoder.decode({ slots: [], reset: true });
    const a = decoder.decode({ slots: [entry] });
    // The same array, changed since: what it says now, not what it said then.
    entry[4] = 'charging';
    entry[5] = 'Q';
    const b = decoder.decode({ slots: [entry] });
    expect(a).toEqual([{ sn: 'S1', slots: [slot(1, 'A')], receivedAt: 1 }]);
    expect(b).toEqual([{ sn: 'S1', slots: [slot(1, 'Q')], receivedAt: 1 }]);
  });
});
