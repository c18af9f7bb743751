import { describe, expect, it } from 'vitest';
import { chooseSlotForDispense, restingState, type StationSlot } from './slots.ts';

const ready = (slot: number, battery: number): StationSlot => ({
  slot,
  state: 'ready',
  powerBank: { serial: `PB-${slot}`, battery },
});

describe('chooseSlotForDispense', () => {
  it('picks the ready slot with the highest battery, lowest slot on a tie', () => {
    expect(chooseSlotForDispense([ready(1, 40), ready(2, 95), ready(3, 95)], 20)?.slot).toBe(2);
  });

  it('skips slots below the threshold, not ready, or with an eject in flight', () => {
    const slots: StationSlot[] = [
      ready(1, 19),
      { slot: 2, state: 'charging', powerBank: { serial: 'PB-2', battery: 99 } },
      { slot: 3, state: 'ejecting', commandId: 'c', powerBank: { serial: 'PB-3', battery: 99 } },
      { slot: 4, state: 'locked', powerBank: { serial: 'PB-4', battery: 99 } },
      { slot: 5, state: 'faulty', powerBank: { serial: 'PB-5', battery: 99 } },
      { slot: 6, state: 'empty' },
    ];
    expect(chooseSlotForDispense(slots, 20)).toBeUndefined();
    expect(chooseSlotForDispense([...slots, ready(7, 20)], 20)?.slot).toBe(7);
    expect(chooseSlotForDispense([ready(1, 19)], 10)?.slot).toBe(1);
  });
});

describe('restingState', () => {
  it('is ready at or above the threshold, charging below, empty without a power bank', () => {
    expect(restingState({ serial: 'a', battery: 20 }, 20)).toBe('ready');
    expect(restingState({ serial: 'a', battery: 19 }, 20)).toBe('charging');
    expect(restingState(undefined, 20)).toBe('empty');
  });
});
