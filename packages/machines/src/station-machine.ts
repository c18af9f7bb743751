import { enqueueActions, setup } from 'xstate';
import type { DispenseResult } from './dispense.ts';
import {
  initialStationContext,
  knownEject,
  type StationContext,
  type StationInput,
} from './station-context.ts';
import type {
  CommandAck,
  EjectOrder,
  MissingReport,
  ReturnReport,
  SlotCommand,
  Step,
} from './station-effects.ts';
import type { StationEvent } from './station-events.ts';
import {
  canLockSlot,
  isDuplicate,
  isLocked,
  isStaleTimeout,
  onCommandAck,
  onDispenseRequested,
  onEjectResult,
  onEjectTimedOut,
  onHeartbeat,
  onHello,
  onLinkLost,
  onLockSlot,
  onRepeatedDispense,
  onSlotFault,
  onSlotInserted,
  onSlotRemoved,
  onStatus,
  onUnlockSlot,
  refuseDispense,
} from './station-steps.ts';

/** Bumped when the context shape changes, so persisted snapshots of an older shape are recognised. */
export const STATION_MACHINE_VERSION = 1;

type StepFn = (context: StationContext, event: never) => Step<StationContext>;

/**
 * Runs a pure step: assigns its context and enqueues its effects by name, so
 * the runtime's `.provide()` implementations run them.
 */
const run = (step: StepFn) =>
  enqueueActions<StationContext, StationEvent, undefined, StationEvent, never, never, never, never, never>(
    ({ context, event, enqueue }) => {
      const { context: next, effects } = step(context, event as never);
      enqueue.assign(() => next);
      for (const effect of effects) enqueue(effect as never);
    },
  );

const noop = () => {};

/**
 * One station: whether it is reachable (offline / online / maintenance) and
 * what is in each slot. Pure: messages in, named effects out. Duplicates and
 * stale messages change nothing and cause nothing.
 */
export const stationMachine = setup({
  types: {
    context: {} as StationContext,
    events: {} as StationEvent,
    input: {} as StationInput,
  },
  actions: {
    // Implemented by station-core with `.provide()`; no-ops here keep the machine pure.
    sendEject: (_, _order: EjectOrder) => noop(),
    sendSync: noop,
    sendLockSlot: (_, _params: SlotCommand) => noop(),
    sendUnlockSlot: (_, _params: SlotCommand) => noop(),
    reportCommandAck: (_, _ack: CommandAck) => noop(),
    reportDispenseResult: (_, _result: DispenseResult) => noop(),
    reportReturn: (_, _report: ReturnReport) => noop(),
    reportMissing: (_, _report: MissingReport) => noop(),
    persist: noop,
    acceptHello: run(onHello),
    acceptHeartbeat: run(onHeartbeat),
    acceptSlotInserted: run(onSlotInserted),
    acceptSlotRemoved: run(onSlotRemoved),
    acceptSlotFault: run(onSlotFault),
    acceptEjectResult: run(onEjectResult),
    acceptCommandAck: run(onCommandAck),
    acceptStatus: run(onStatus),
    dispense: run(onDispenseRequested),
    answerKnownCommand: run(onRepeatedDispense),
    refuseOffline: run((c, e) => refuseDispense(c, e, 'station_offline')),
    refuseMaintenance: run((c, e) => refuseDispense(c, e, 'station_maintenance')),
    timeOutEject: run(onEjectTimedOut),
    lockSlot: run(onLockSlot),
    unlockSlot: run(onUnlockSlot),
    markLinkLost: run(onLinkLost),
  },
  guards: {
    isDuplicate: ({ context, event }) =>
      'message' in event && 'receivedAt' in event ? isDuplicate(context, event) : false,
    isOnlineStatus: ({ event }) => event.type === 'STATUS' && event.message.state === 'online',
    isOfflineStatus: ({ event }) => event.type === 'STATUS' && event.message.state === 'offline',
    isKnownCommand: ({ context, event }) =>
      event.type === 'DISPENSE_REQUESTED' && knownEject(context, event.commandId) !== undefined,
    canLockSlot: ({ context, event }) => event.type === 'LOCK_SLOT' && canLockSlot(context, event.slot),
    isLockedSlot: ({ context, event }) => event.type === 'UNLOCK_SLOT' && isLocked(context, event.slot),
    isStaleTimeout: ({ context, event }) =>
      event.type === 'HEARTBEAT_TIMEOUT' && isStaleTimeout(context, event),
    isConnected: ({ context }) => context.connected,
    isConnectedAdminEject: ({ context, event }) =>
      event.type === 'DISPENSE_REQUESTED' && event.slot !== undefined && context.connected,
  },
}).createMachine({
  id: 'station',
  // Steps are taken on actors built without input (xstate's transition() builds one per step,
  // pureTransition one per machine): the initial context must not throw for them.
  context: ({ input }) => initialStationContext(input ?? { sn: '' }),
  initial: 'offline',
  // What every state does alike; states override what they do differently.
  on: {
    HELLO: [{ guard: 'isDuplicate' }, { actions: 'acceptHello' }],
    HEARTBEAT: [{ guard: 'isDuplicate' }, { actions: 'acceptHeartbeat' }],
    SLOT_INSERTED: [{ guard: 'isDuplicate' }, { actions: 'acceptSlotInserted' }],
    SLOT_REMOVED: [{ guard: 'isDuplicate' }, { actions: 'acceptSlotRemoved' }],
    SLOT_FAULT: [{ guard: 'isDuplicate' }, { actions: 'acceptSlotFault' }],
    EJECT_RESULT: [{ guard: 'isDuplicate' }, { actions: 'acceptEjectResult' }],
    COMMAND_ACK: [{ guard: 'isDuplicate' }, { actions: 'acceptCommandAck' }],
    STATUS: [{ guard: 'isDuplicate' }, { actions: 'acceptStatus' }],
    EJECT_TIMED_OUT: { actions: 'timeOutEject' },
    LOCK_SLOT: { guard: 'canLockSlot', actions: 'lockSlot' },
    UNLOCK_SLOT: { guard: 'isLockedSlot', actions: 'unlockSlot' },
    SYNC_REQUESTED: { actions: 'sendSync' },
    ENTER_MAINTENANCE: { target: '.maintenance', actions: 'persist' },
  },
  states: {
    offline: {
      on: {
        HELLO: [{ guard: 'isDuplicate' }, { target: 'online', actions: 'acceptHello' }],
        // A station we thought gone is talking: it is back, and we may have missed messages.
        HEARTBEAT: [{ guard: 'isDuplicate' }, { target: 'online', actions: ['sendSync', 'acceptHeartbeat'] }],
        SLOT_INSERTED: [
          { guard: 'isDuplicate' },
          { target: 'online', actions: ['sendSync', 'acceptSlotInserted'] },
        ],
        SLOT_REMOVED: [
          { guard: 'isDuplicate' },
          { target: 'online', actions: ['sendSync', 'acceptSlotRemoved'] },
        ],
        SLOT_FAULT: [
          { guard: 'isDuplicate' },
          { target: 'online', actions: ['sendSync', 'acceptSlotFault'] },
        ],
        EJECT_RESULT: [
          { guard: 'isDuplicate' },
          { target: 'online', actions: ['sendSync', 'acceptEjectResult'] },
        ],
        COMMAND_ACK: [
          { guard: 'isDuplicate' },
          { target: 'online', actions: ['sendSync', 'acceptCommandAck'] },
        ],
        // The station sends `hello` after `online` on every connect, so no sync is needed here.
        STATUS: [
          { guard: 'isDuplicate' },
          { guard: 'isOnlineStatus', target: 'online', actions: 'acceptStatus' },
          { actions: 'acceptStatus' },
        ],
        DISPENSE_REQUESTED: [
          { guard: 'isKnownCommand', actions: 'answerKnownCommand' },
          { actions: 'refuseOffline' },
        ],
      },
    },
    online: {
      on: {
        STATUS: [
          { guard: 'isDuplicate' },
          { guard: 'isOfflineStatus', target: 'offline', actions: 'acceptStatus' },
          { actions: 'acceptStatus' },
        ],
        HEARTBEAT_TIMEOUT: [{ guard: 'isStaleTimeout' }, { target: 'offline', actions: 'markLinkLost' }],
        DISPENSE_REQUESTED: [
          { guard: 'isKnownCommand', actions: 'answerKnownCommand' },
          { actions: 'dispense' },
        ],
      },
    },
    /** Taken out of service by an admin: messages still update the slots, but nothing is rented. */
    maintenance: {
      on: {
        ENTER_MAINTENANCE: {},
        HEARTBEAT_TIMEOUT: [{ guard: 'isStaleTimeout' }, { actions: 'markLinkLost' }],
        DISPENSE_REQUESTED: [
          { guard: 'isKnownCommand', actions: 'answerKnownCommand' },
          // An operator ejecting a named slot (a stuck power bank) is what maintenance is for.
          { guard: 'isConnectedAdminEject', actions: 'dispense' },
          { actions: 'refuseMaintenance' },
        ],
        EXIT_MAINTENANCE: [
          { guard: 'isConnected', target: 'online', actions: 'persist' },
          { target: 'offline', actions: 'persist' },
        ],
      },
    },
  },
});

export type StationMachine = typeof stationMachine;
export type StationState = 'offline' | 'online' | 'maintenance';
