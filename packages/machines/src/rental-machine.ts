import { assign, setup } from 'xstate';

/**
 * One rental's life. Pure: the runtime keeps the snapshot in the `Rental` row
 * itself (status = state, the figures below = context) and applies each
 * transition with a conditional update on the status it came from, so two
 * instances never apply one event twice. Effects are named actions the
 * runtime performs in the same database transaction.
 */
export const RENTAL_MACHINE_VERSION = 1;

export { RENTAL_STATUSES as RENTAL_STATES, type RentalStatus as RentalState } from '@powerbank/domain';

export interface RentalContext {
  extensionCount: number;
  maxExtensions: number;
  dueAt: number | null;
  dueAmount: number;
  /** Whether the refund of a failed start was made (a late success reverses it). */
  refunded: boolean;
}

export type RentalEvent =
  | { type: 'DISPENSE_SENT' }
  | { type: 'DISPENSED'; slot: number; powerBankSerial: string; late?: boolean }
  | { type: 'DISPENSE_FAILED'; reason: string }
  | { type: 'DUE_SOON' }
  | { type: 'OVERDUE' }
  /** Overdue past the maximum: the power bank counts as bought. */
  | { type: 'MAX_REACHED' }
  /** `slot` is null when staff close the rental as returned outside a station's slot. */
  | { type: 'RETURNED'; stationSn: string; slot: number | null; at: number }
  | { type: 'SETTLED'; dueAmount: number }
  | { type: 'CANCEL'; powerBankBack: boolean }
  | { type: 'EXTEND'; now: number; minutes: number }
  | { type: 'PAY_DUE' }
  /** Staff forgive part or all of a due (`amount` minor units; more than the due waives it whole). */
  | { type: 'WAIVE_DUE'; amount: number }
  /** Staff close a stuck rental as lost: the power bank's price is charged as when the maximum is reached. */
  | { type: 'MARK_LOST' }
  /** Staff close a stuck rental and give the start payment back. */
  | { type: 'FORCE_REFUND' };

/** The effects the runtime performs; in the machine they are no-ops, named so `transition()` reports them. */
export const RENTAL_EFFECTS = [
  'markDispensing',
  'activate',
  'reverseRefund',
  'refund',
  'notifyStarted',
  'notifyFailed',
  'notifyDueSoon',
  'notifyOverdue',
  'chargeLostPrice',
  'notifyLost',
  'settle',
  'notifyReturned',
  'refundCancelled',
  'chargeExtension',
  'collectDue',
  'waiveDue',
  'closeRefunded',
] as const;
export type RentalEffect = (typeof RENTAL_EFFECTS)[number];

const noop = () => {};
const effect = Object.fromEntries(RENTAL_EFFECTS.map((name) => [name, noop])) as Record<
  RentalEffect,
  () => void
>;

export const rentalMachine = setup({
  types: {
    context: {} as RentalContext,
    events: {} as RentalEvent,
    input: {} as Partial<RentalContext> | undefined,
  },
  actions: {
    ...effect,
    markRefunded: assign({ refunded: true }),
    clearRefunded: assign({ refunded: false }),
    moveDue: assign(({ context, event }) =>
      event.type === 'EXTEND' && context.dueAt !== null
        ? { dueAt: context.dueAt + event.minutes * 60_000, extensionCount: context.extensionCount + 1 }
        : {},
    ),
    recordDue: assign(({ event }) => (event.type === 'SETTLED' ? { dueAmount: event.dueAmount } : {})),
    clearDue: assign({ dueAmount: 0 }),
    reduceDue: assign(({ context, event }) =>
      event.type === 'WAIVE_DUE' ? { dueAmount: Math.max(0, context.dueAmount - event.amount) } : {},
    ),
  },
  guards: {
    wasRefunded: ({ context }) => context.refunded,
    canExtend: ({ context, event }) =>
      event.type === 'EXTEND' &&
      context.extensionCount < context.maxExtensions &&
      context.dueAt !== null &&
      event.now < context.dueAt,
    powerBankBack: ({ event }) => event.type === 'CANCEL' && event.powerBankBack,
    hasDue: ({ context }) => context.dueAmount > 0,
    // A cancelled rental is final: a due left on it could never be paid or waived (staff waive it first).
    noDue: ({ context }) => context.dueAmount === 0,
  },
}).createMachine({
  id: 'rental',
  initial: 'pending',
  context: ({ input }) => ({
    extensionCount: 0,
    maxExtensions: 3,
    dueAt: null,
    dueAmount: 0,
    refunded: false,
    ...input,
  }),
  // A due is paid whatever the status: it is recorded at settlement and when lost, but also on an
  // active rental when a late eject success cannot take back the refund (spent meanwhile), and it
  // blocks every new rental until paid. (A final state takes no event, but no cancel leaves a due.)
  on: {
    PAY_DUE: { guard: 'hasDue', actions: ['collectDue', 'clearDue'] },
    WAIVE_DUE: { guard: 'hasDue', actions: ['waiveDue', 'reduceDue'] },
  },
  states: {
    pending: {
      on: {
        DISPENSE_SENT: { target: 'dispensing', actions: 'markDispensing' },
        DISPENSED: { target: 'active', actions: ['activate', 'notifyStarted'] },
        DISPENSE_FAILED: { target: 'failed', actions: ['refund', 'markRefunded', 'notifyFailed'] },
        CANCEL: { target: 'cancelled', actions: ['refundCancelled'] },
        FORCE_REFUND: { guard: 'noDue', target: 'cancelled', actions: ['refund', 'closeRefunded'] },
      },
    },
    dispensing: {
      on: {
        DISPENSED: { target: 'active', actions: ['activate', 'notifyStarted'] },
        DISPENSE_FAILED: { target: 'failed', actions: ['refund', 'markRefunded', 'notifyFailed'] },
        FORCE_REFUND: { guard: 'noDue', target: 'cancelled', actions: ['refund', 'closeRefunded'] },
      },
    },
    active: {
      on: {
        DUE_SOON: { actions: 'notifyDueSoon' },
        OVERDUE: { target: 'overdue', actions: 'notifyOverdue' },
        RETURNED: { target: 'returned', actions: ['settle', 'notifyReturned'] },
        EXTEND: { guard: 'canExtend', actions: ['chargeExtension', 'moveDue'] },
        CANCEL: { guard: 'powerBankBack', target: 'cancelled', actions: 'refundCancelled' },
        MARK_LOST: { target: 'lost', actions: ['chargeLostPrice', 'notifyLost'] },
        FORCE_REFUND: { guard: 'noDue', target: 'cancelled', actions: ['refund', 'closeRefunded'] },
      },
    },
    overdue: {
      on: {
        RETURNED: { target: 'returned', actions: ['settle', 'notifyReturned'] },
        MAX_REACHED: { target: 'lost', actions: ['chargeLostPrice', 'notifyLost'] },
        MARK_LOST: { target: 'lost', actions: ['chargeLostPrice', 'notifyLost'] },
        FORCE_REFUND: { guard: 'noDue', target: 'cancelled', actions: ['refund', 'closeRefunded'] },
      },
    },
    returned: {
      on: { SETTLED: { target: 'settled', actions: 'recordDue' } },
    },
    settled: {},
    lost: {},
    failed: {
      // The station confirmed after the timeout: the user has the power bank, so the rental runs after all.
      on: {
        DISPENSED: [
          {
            guard: 'wasRefunded',
            target: 'active',
            actions: ['activate', 'reverseRefund', 'clearRefunded', 'notifyStarted'],
          },
          { target: 'active', actions: ['activate', 'notifyStarted'] },
        ],
      },
    },
    cancelled: { type: 'final' },
  },
});
