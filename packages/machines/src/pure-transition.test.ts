import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { pureTransition } from './pure-transition.ts';
import { rentalMachine } from './rental-machine.ts';
import type { StationEvent } from './station-events.ts';
import { stationMachine } from './station-machine.ts';
import {
  aFault,
  aHeartbeat,
  aHello,
  anEjectFailure,
  anEjectOk,
  anInsert,
  aRemoval,
  empty,
  occupied,
} from './testing.ts';

const dispense = (commandId: string): StationEvent => ({
  type: 'DISPENSE_REQUESTED',
  commandId,
  rentalId: 'r-1',
});
const plain = (actions: { type: string; params?: unknown }[]) =>
  actions.map((a) => ({ type: a.type, params: a.params }));

describe('pureTransition: the same step as xstate transition(), with one scope per machine', () => {
  it('a station through hello, ejects, a failure, a return, a removal, a fault, duplicates and timeouts', () => {
    const hello = aHello([occupied(1, 'PB-A', 90), occupied(2, 'PB-B', 60), empty(3), empty(4)], { seq: 1 });
    const events: StationEvent[] = [
      hello,
      hello, // a duplicate
      dispense('cmd-00001'),
      anEjectOk('cmd-00001', 1, 'PB-A'),
      dispense('cmd-00002'),
      anEjectFailure('cmd-00002', 2, 'jammed'),
      aHeartbeat([{ slot: 2, battery: 61 }]),
      anInsert(3, 'PB-A', 80),
      aRemoval(2),
      aFault(4),
      dispense('cmd-00003'),
      { type: 'HEARTBEAT_TIMEOUT' },
      dispense('cmd-00004'),
    ];
    const step = pureTransition(stationMachine);
    let [ours] = initialTransition(stationMachine, { sn: 'ST-P', slotCount: 4 });
    let [theirs] = initialTransition(stationMachine, { sn: 'ST-P', slotCount: 4 });
    for (const event of events) {
      const [nextOurs, ourActions] = step(ours, event);
      const [nextTheirs, theirActions] = transition(stationMachine, theirs, event);
      expect(nextOurs.value).toEqual(nextTheirs.value);
      expect(nextOurs.context).toEqual(nextTheirs.context);
      expect(plain(ourActions)).toEqual(plain(theirActions));
      [ours, theirs] = [nextOurs, nextTheirs];
    }
    // The run went somewhere: ejects answered, a return seen, the link lost.
    expect(ours.value).toBe('offline');
    expect(ours.context.settledEjects.length).toBeGreaterThan(0);
  });

  it('a rental from pending through dispensing, active and returned', () => {
    const step = pureTransition(rentalMachine);
    let [ours] = initialTransition(rentalMachine, { maxExtensions: 3 });
    let [theirs] = initialTransition(rentalMachine, { maxExtensions: 3 });
    const events = [
      { type: 'DISPENSE_SENT' },
      { type: 'DISPENSED', slot: 1, powerBankSerial: 'PB-A' },
      { type: 'RETURNED', stationSn: 'ST-2', slot: 3, at: 0 },
      { type: 'SETTLED', dueAmount: 0 },
    ] as const;
    for (const event of events) {
      const [nextOurs, ourActions] = step(ours, event);
      const [nextTheirs, theirActions] = transition(rentalMachine, theirs, event);
      expect(nextOurs.value).toEqual(nextTheirs.value);
      expect(nextOurs.context).toEqual(nextTheirs.context);
      expect(plain(ourActions)).toEqual(plain(theirActions));
      [ours, theirs] = [nextOurs, nextTheirs];
    }
    expect(ours.value).toBe('settled');
  });
});
