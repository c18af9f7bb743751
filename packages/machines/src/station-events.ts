import type {
  AckMessage,
  EjectResultMessage,
  HeartbeatMessage,
  HelloMessage,
  SlotMessage,
  StatusMessage,
  UpMessage,
} from '@powerbank/protocol';
import type { DispenseRequest } from './dispense.ts';

type Received<T extends string, M> = { type: T; message: M; receivedAt: number };

/** Events made from the station's own messages; `receivedAt` is the cloud's clock. */
export type StationUpEvent =
  | Received<'HELLO', HelloMessage>
  | Received<'HEARTBEAT', HeartbeatMessage>
  | Received<'SLOT_INSERTED', Extract<SlotMessage, { event: 'inserted' }>>
  | Received<'SLOT_REMOVED', Extract<SlotMessage, { event: 'removed' }>>
  | Received<'SLOT_FAULT', Extract<SlotMessage, { event: 'fault' }>>
  | Received<'EJECT_RESULT', EjectResultMessage>
  | Received<'COMMAND_ACK', AckMessage>
  | Received<'STATUS', StatusMessage>;

/** Events from the runtime and the rest of the platform. */
export type StationCommandEvent =
  /**
   * Sent by the runtime after missed heartbeats; `silentSince` (the last heartbeat the runtime
   * saw, 0 if it saw none) lets a message that crossed the decision win. Without it, unconditional.
   */
  | { type: 'HEARTBEAT_TIMEOUT'; silentSince?: number }
  | ({ type: 'DISPENSE_REQUESTED' } & DispenseRequest)
  | { type: 'EJECT_TIMED_OUT'; commandId: string }
  /** `commandId`: the down message's msgId, so the station's `ack` can be told to whoever asked. */
  | { type: 'LOCK_SLOT'; slot: number; commandId?: string }
  | { type: 'UNLOCK_SLOT'; slot: number; commandId?: string }
  | { type: 'ENTER_MAINTENANCE' }
  | { type: 'EXIT_MAINTENANCE' }
  | { type: 'SYNC_REQUESTED' };

export type StationEvent = StationUpEvent | StationCommandEvent;

/** Turns a parsed up message into the machine's event. */
export function upMessageToEvent(message: UpMessage, receivedAt: number): StationUpEvent {
  switch (message.kind) {
    case 'hello':
      return { type: 'HELLO', message, receivedAt };
    case 'heartbeat':
      return { type: 'HEARTBEAT', message, receivedAt };
    case 'eject-result':
      return { type: 'EJECT_RESULT', message, receivedAt };
    case 'ack':
      return { type: 'COMMAND_ACK', message, receivedAt };
    case 'status':
      return { type: 'STATUS', message, receivedAt };
    case 'slot':
      switch (message.event) {
        case 'inserted':
          return { type: 'SLOT_INSERTED', message, receivedAt };
        case 'removed':
          return { type: 'SLOT_REMOVED', message, receivedAt };
        case 'fault':
          return { type: 'SLOT_FAULT', message, receivedAt };
      }
  }
}
