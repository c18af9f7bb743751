import type { HelloMessage, SlotSnapshot } from '@powerbank/protocol';
import { initialTransition, transition } from 'xstate';
import type { StationInput } from './station-context.ts';
import type { StationEvent, StationUpEvent } from './station-events.ts';
import { stationMachine } from './station-machine.ts';

/**
 * Test builders for station messages and a pure driver over `transition()`.
 * Each builder takes the next seq, so messages are fresh unless a test reuses one.
 */
let seq = 1000;
const nextSeq = () => ++seq;
const at = 1_700_000_000_000;

export function aHello(slots: SlotSnapshot[], fields: Partial<HelloMessage> = {}): StationUpEvent {
  const s = fields.seq ?? nextSeq();
  return {
    type: 'HELLO',
    receivedAt: at + s,
    message: {
      v: 1,
      kind: 'hello',
      msgId: `hello-${s}`,
      seq: s,
      ts: at + s,
      firmware: '1.0.0',
      slotCount: slots.length,
      slots,
      ...fields,
    },
  };
}

export const occupied = (slot: number, serial: string, battery: number): SlotSnapshot => ({
  slot,
  state: 'occupied',
  powerBank: { serial, battery },
});
export const empty = (slot: number): SlotSnapshot => ({ slot, state: 'empty' });

function envelope(prefix: string, s = nextSeq()) {
  return { v: 1 as const, msgId: `${prefix}-${s}`, seq: s, ts: at + s };
}

export const aHeartbeat = (batteries?: { slot: number; battery: number }[]): StationUpEvent => {
  const e = envelope('hb');
  return {
    type: 'HEARTBEAT',
    receivedAt: e.ts,
    message: { ...e, kind: 'heartbeat', uptimeS: 1, ...(batteries ? { batteries } : {}) },
  };
};
export const anInsert = (slot: number, serial: string, battery: number): StationUpEvent => {
  const e = envelope('ins');
  return {
    type: 'SLOT_INSERTED',
    receivedAt: e.ts,
    message: { ...e, kind: 'slot', slot, event: 'inserted', powerBank: { serial, battery } },
  };
};
export const aRemoval = (slot: number): StationUpEvent => {
  const e = envelope('rem');
  return { type: 'SLOT_REMOVED', receivedAt: e.ts, message: { ...e, kind: 'slot', slot, event: 'removed' } };
};
export const aFault = (slot: number, error = 'motor'): StationUpEvent => {
  const e = envelope('flt');
  return {
    type: 'SLOT_FAULT',
    receivedAt: e.ts,
    message: { ...e, kind: 'slot', slot, event: 'fault', error },
  };
};
export const anEjectOk = (commandId: string, slot: number, powerBankSerial: string): StationUpEvent => {
  const e = envelope('ej');
  return {
    type: 'EJECT_RESULT',
    receivedAt: e.ts,
    message: { ...e, kind: 'eject-result', commandId, slot, ok: true, powerBankSerial },
  };
};
/** The station's acknowledgement of a command other than an eject. */
export const anAck = (
  commandId: string,
  command: 'lock-slot' | 'sync' = 'lock-slot',
  error?: string,
): StationUpEvent => {
  const e = envelope('ak');
  return {
    type: 'COMMAND_ACK',
    receivedAt: e.ts,
    message: { ...e, kind: 'ack', commandId, command, ok: !error, ...(error ? { error } : {}) },
  };
};
export const anEjectFailure = (
  commandId: string,
  slot: number,
  error: 'jammed' | 'empty' | 'busy' | 'timeout' = 'jammed',
): StationUpEvent => {
  const e = envelope('ej');
  return {
    type: 'EJECT_RESULT',
    receivedAt: e.ts,
    message: { ...e, kind: 'eject-result', commandId, slot, ok: false, error },
  };
};
export const aStatus = (
  state: 'online' | 'offline',
  s = nextSeq(),
  msgId = `st-${state}-${s}`,
): StationUpEvent => ({
  type: 'STATUS',
  receivedAt: at + s,
  message: { v: 1, kind: 'status', msgId, seq: s, ts: at + s, state },
});

/** Feeds events one after another through the pure transition function, collecting the effects. */
/** A rental asking the station for a power bank. */
export const aDispenseRequest = (commandId: string, rentalId = 'rental-1'): StationEvent => ({
  type: 'DISPENSE_REQUESTED',
  commandId,
  rentalId,
});

export function drive(input: StationInput, ...events: StationEvent[]) {
  let [snapshot, actions] = initialTransition(stationMachine, input);
  for (const event of events) [snapshot, actions] = transition(stationMachine, snapshot, event);
  return { snapshot, actions, next: (event: StationEvent) => transition(stationMachine, snapshot, event) };
}
