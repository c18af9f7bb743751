import { describe, expect, it } from 'vitest';
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventFromLogic,
  initialTransition,
  type SnapshotFrom,
  transition,
} from 'xstate';
import { pureTransition } from './pure-transition.ts';
import { rentalMachine } from './rental-machine.ts';
import type { StationEvent } from './station-events.ts';
import { stationMachine } from './station-machine.ts';
import {
  aDispenseRequest,
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

const plain = (actions: { type: string; params?: unknown }[]) =>
  actions.map((a) => ({ type: a.type, params: a.params }));

/** Steps `machine` through `events` with pureTransition and with xstate's transition(), checking
 * that every step agrees (state, context, actions); the last snapshot. */
function stepBothWays<M extends AnyStateMachine>(
  machine: M,
  start: SnapshotFrom<M>,
  events: EventFromLogic<M>[],
) {
  const step = pureTransition(machine);
  let [ours, theirs] = [start, start];
  for (const event of events) {
    const [nextOurs, ourActions] = step(ours, event);
    const [nextTheirs, theirActions] = transition(machine, theirs, event);
    const [a, b] = [nextOurs as AnyMachineSnapshot, nextTheirs as AnyMachineSnapshot];
    expect(a.value).toEqual(b.value);
    expect(a.context).toEqual(b.context);
    expect(plain(ourActions)).toEqual(plain(theirActions));
    [ours, theirs] = [nextOurs, nextTheirs as SnapshotFrom<M>];
  }
  return ours;
}

describe('pureTransition: the same step as xstate transition(), with one scope per machine', () => {
  it('a station through hello, ejects, a failure, a return, a removal, a fault, duplicates and timeouts', () => {
    const hello = aHello([occupied(1, 'PB-A', 90), occupied(2, 'PB-B', 60), empty(3), empty(4)], { seq: 1 });
    const events: StationEvent[] = [
      hello,
      hello, // a duplicate
      aDispenseRequest('cmd-00001'),
      anEjectOk('cmd-00001', 1, 'PB-A'),
      aDispenseRequest('cmd-00002'),
      anEjectFailure('cmd-00002', 2, 'jammed'),
      aHeartbeat([{ slot: 2, battery: 61 }]),
      anInsert(3, 'PB-A', 80),
      aRemoval(2),
      aFault(4),
      aDispenseRequest('cmd-00003'),
      { type: 'HEARTBEAT_TIMEOUT' },
      aDispenseRequest('cmd-00004'),
    ];
    const [start] = initialTransition(stationMachine, { sn: 'ST-P', slotCount: 4 });
    const ours = stepBothWays(stationMachine, start, events);
    // The run went somewhere: ejects answered, a return seen, the link lost.
    expect(ours.value).toBe('offline');
    expect(ours.context.settledEjects.length).toBeGreaterThan(0);
  });

  it('a rental from pending through dispensing, active and returned', () => {
    const [start] = initialTransition(rentalMachine, { maxExtensions: 3 });
    const ours = stepBothWays(rentalMachine, start, [
      { type: 'DISPENSE_SENT' },
      { type: 'DISPENSED', slot: 1, powerBankSerial: 'PB-A' },
      { type: 'RETURNED', stationSn: 'ST-2', slot: 3, at: 0 },
      { type: 'SETTLED', dueAmount: 0 },
    ]);
    expect(ours.value).toBe('settled');
  });
});
