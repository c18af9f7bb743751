import { pureTransition } from './pure-transition.ts';
import {
  RENTAL_EFFECTS,
  RENTAL_STATES,
  type RentalContext,
  type RentalEffect,
  type RentalEvent,
  type RentalState,
  rentalMachine,
} from './rental-machine.ts';

export interface RentalStep {
  from: RentalState;
  to: RentalState;
  context: RentalContext;
  /** The named effects the runtime must carry out, in order. */
  effects: RentalEffect[];
}

const EFFECTS = new Set<string>(RENTAL_EFFECTS);
const step = pureTransition(rentalMachine);

/**
 * The machine's answer for a rental as stored (status + figures) and one
 * event: the next status and effects, or null when the event does not apply
 * in that status (a duplicate, a late message, a refused action).
 */
export function rentalStep(
  state: RentalState,
  context: RentalContext,
  event: RentalEvent,
): RentalStep | null {
  const snapshot = rentalMachine.resolveState({ value: state, context });
  const [next, actions] = step(snapshot, event);
  const to = next.value as RentalState;
  const effects = actions.map((a) => a.type).filter((t): t is RentalEffect => EFFECTS.has(t));
  if (to === state && actions.length === 0) return null;
  if (!RENTAL_STATES.includes(to)) throw new Error(`rental machine reached unknown state ${String(to)}`);
  return { from: state, to, context: next.context, effects };
}
