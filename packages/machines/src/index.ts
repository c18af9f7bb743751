export * from './dispense.ts';
export * from './market-order-machine.ts';
export { pureTransition } from './pure-transition.ts';
export * from './rental-machine.ts';
export * from './rental-step.ts';
export {
  chooseSlotForDispense,
  DEFAULT_BATTERY_THRESHOLD,
  findPowerBank,
  type SlotState,
  type StationSlot,
} from './slots.ts';
export * from './station-context.ts';
export type {
  CommandAck,
  EjectOrder,
  MissingReport,
  ReturnReport,
  SlotCommand,
  StationEffect,
} from './station-effects.ts';
export * from './station-events.ts';
export * from './station-machine.ts';
