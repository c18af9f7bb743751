import { ORDER_STATUSES, type OrderStatus as OrderState } from '@powerbank/domain';
import { setup } from 'xstate';
import { pureTransition } from './pure-transition.ts';

/**
 * A marketplace order's life (issue 20). Pure, like the rental machine: the runtime keeps the
 * state in `rental_order.status`, locks the row, asks `orderStep`, and applies the named effects
 * and the new status in one transaction. Scheduling and QR handover (issue 21) send PICKED_UP and
 * RETURNED; this api sends RESERVE, PAY, EXPIRE and CANCEL.
 */
export { ORDER_STATUSES as ORDER_STATES, type OrderStatus as OrderState } from '@powerbank/domain';

export type OrderEvent =
  | { type: 'RESERVE' }
  | { type: 'PAY' }
  /** The reservation's deadline passed unpaid. */
  | { type: 'EXPIRE' }
  | { type: 'CANCEL' }
  | { type: 'PICKED_UP' }
  | { type: 'RETURNED' }
  /** The seller checked the items back: the deposit is settled (captured in part or released). */
  | { type: 'SETTLE' }
  | { type: 'DISPUTE' }
  | { type: 'RESOLVE' };

/** Effects the runtime performs in the transition's transaction; no-ops in the machine. */
export const ORDER_EFFECTS = [
  'blockItems',
  'issueInvoice',
  'chargeInvoice',
  'holdDeposit',
  'releaseItems',
  'refundByPolicy',
  'releaseDeposit',
  'markItemsRented',
  'markItemsBack',
  'settleDeposit',
  'openDispute',
] as const;
export type OrderEffect = (typeof ORDER_EFFECTS)[number];

const noop = () => {};
const effect = Object.fromEntries(ORDER_EFFECTS.map((name) => [name, noop])) as Record<
  OrderEffect,
  () => void
>;

export const orderMachine = setup({
  types: { events: {} as OrderEvent },
  actions: effect,
}).createMachine({
  id: 'marketOrder',
  initial: 'draft',
  states: {
    draft: {
      on: {
        RESERVE: { target: 'reserved', actions: ['blockItems', 'issueInvoice'] },
        CANCEL: { target: 'cancelled' },
      },
    },
    reserved: {
      on: {
        PAY: { target: 'confirmed', actions: ['chargeInvoice', 'holdDeposit'] },
        EXPIRE: { target: 'expired', actions: ['releaseItems'] },
        CANCEL: { target: 'cancelled', actions: ['releaseItems'] },
      },
    },
    confirmed: {
      on: {
        // Paid: what comes back follows the cancellation policy; the deposit always does.
        CANCEL: { target: 'cancelled', actions: ['releaseItems', 'refundByPolicy', 'releaseDeposit'] },
        PICKED_UP: { target: 'active', actions: ['markItemsRented'] },
      },
    },
    active: {
      on: {
        RETURNED: { target: 'returned', actions: ['markItemsBack'] },
        DISPUTE: { target: 'disputed', actions: ['openDispute'] },
      },
    },
    returned: {
      on: {
        SETTLE: { target: 'completed', actions: ['settleDeposit'] },
        DISPUTE: { target: 'disputed', actions: ['openDispute'] },
      },
    },
    disputed: { on: { RESOLVE: { target: 'completed', actions: ['settleDeposit'] } } },
    completed: { type: 'final' },
    cancelled: { type: 'final' },
    expired: { type: 'final' },
  },
});

export interface OrderStep {
  from: OrderState;
  to: OrderState;
  /** The named effects the runtime must carry out, in order. */
  effects: OrderEffect[];
}

const EFFECTS = new Set<string>(ORDER_EFFECTS);
const step = pureTransition(orderMachine);

/** The machine's answer for an order in `state` and one event: the next state and effects, or null when the event does not apply. */
export function orderStep(state: OrderState, event: OrderEvent): OrderStep | null {
  const [next, actions] = step(orderMachine.resolveState({ value: state, context: {} }), event);
  const to = next.value as OrderState;
  if (to === state) return null;
  if (!ORDER_STATUSES.includes(to)) throw new Error(`order machine reached unknown state ${String(to)}`);
  const effects = actions.map((a) => a.type).filter((t): t is OrderEffect => EFFECTS.has(t));
  return { from: state, to, effects };
}
