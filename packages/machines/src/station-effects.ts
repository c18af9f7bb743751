import type { DispenseResult } from './dispense.ts';

export interface EjectOrder {
  commandId: string;
  /** None for an admin's eject. */
  rentalId?: string;
  slot: number;
}

/** A lock or unlock to send; `commandId` becomes the down message's msgId when given. */
export interface SlotCommand {
  slot: number;
  commandId?: string;
}

/** The station acknowledged (or refused) a command other than an eject. */
export interface CommandAck {
  commandId: string;
  command: string;
  ok: boolean;
  error?: string;
}

/** A power bank the machine did not know is now in a slot: a return, or found on reconciliation. */
export interface ReturnReport {
  slot: number;
  powerBankSerial: string;
  battery: number;
  source: 'inserted' | 'snapshot';
  /** When it was put there, epoch ms: the station's clock bounded by the receive time (`stationEventTime`). */
  at: number;
}

/** A power bank the machine thought was in a slot is gone without an eject. */
export interface MissingReport {
  slot: number;
  powerBankSerial: string;
  reason: 'removed' | 'absent_on_hello' | 'eject_found_empty';
}

/**
 * The side effects the station machine asks for, by name; station-core
 * supplies their implementations with `.provide()`. `persist` comes last in
 * every transition that changed the context.
 */
export type StationEffect =
  | { type: 'sendEject'; params: EjectOrder }
  | { type: 'sendSync' }
  | { type: 'sendLockSlot'; params: SlotCommand }
  | { type: 'sendUnlockSlot'; params: SlotCommand }
  | { type: 'reportCommandAck'; params: CommandAck }
  | { type: 'reportDispenseResult'; params: DispenseResult }
  | { type: 'reportReturn'; params: ReturnReport }
  | { type: 'reportMissing'; params: MissingReport }
  | { type: 'persist' };

/** A context change and the effects that go with it. */
export interface Step<C> {
  context: C;
  effects: StationEffect[];
}
