import type { EntityManager } from '@mikro-orm/postgresql';
import { Rental, Station } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { applyRentalEvent, type RentalRecord } from '@powerbank/rentals';
import type { Context } from '../../trpc/context.ts';
import { type AdminCaller, adminMutation } from '../admin-auth/admin-action.ts';
import { lockUserBelow } from '../admin-auth/admin-rank.ts';
import type { AdminRentalOutput, ForceCloseInput, WaiveDueInput } from './users.schemas.ts';
import { rentalSummary } from './users.service.ts';

type AdminContext = Context & { admin: AdminCaller };
type RentalEvent = Parameters<typeof applyRentalEvent>[2];

/** The statuses the rental machine closes from, by outcome (rental-machine.ts). */
const CLOSABLE: Record<ForceCloseInput['outcome'], string> = {
  returned: 'active or overdue',
  lost: 'active or overdue',
  refunded: 'pending, dispensing, active or overdue, and without a due (waive it first)',
};

const figures = (rental: RentalRecord) => ({
  status: rental.status,
  dueAmount: rental.dueAmount,
  settledAmount: rental.settledAmount,
});

/**
 * Applies a staff event to a rental the way every rental event is applied
 * (`applyRentalEvent`: the rental's row lock, the machine, its effects on the ledger
 * and notifications), inside the admin's transaction, so the change and its
 * AdminActionLog row commit together. The rental's user is locked first and must be
 * below the caller's rank. `refusal` is the answer when the machine does not take
 * the event in the rental's status.
 */
async function applyAsStaff(
  ctx: AdminContext,
  action: string,
  input: { rentalId: string; reason: string },
  event: (tx: EntityManager, rental: Rental) => Promise<RentalEvent>,
  refusal: string,
): Promise<AdminRentalOutput> {
  return adminMutation(ctx, action, async (tx) => {
    const rental = await tx.findOne(Rental, { id: input.rentalId }, { populate: ['startStation'] });
    if (!rental) throw new DomainError('NOT_FOUND', 'no such rental');
    await lockUserBelow(tx, ctx.admin, rental.user.id);
    // Read again under the user's lock, which every staff action on this user's rentals takes
    // first: what the event is built from is not older than the last staff change.
    await tx.refresh(rental);
    const before = {
      status: rental.status,
      dueAmount: rental.dueAmount,
      settledAmount: rental.settledAmount,
    };
    const applied = await applyRentalEvent(tx, rental.id, await event(tx, rental));
    if (!applied.applied) {
      throw new DomainError('BUSINESS_RULE', refusal, { status: applied.rental.status });
    }
    return {
      result: rentalSummary(applied.rental, applied.rental.userId),
      targetType: 'rental',
      targetId: rental.id,
      before,
      after: figures(applied.rental),
      reason: input.reason,
    };
  });
}

/** Forgives all or part of a rental's due, through the rental machine (the user is told). */
export const waiveDue = (ctx: AdminContext, input: WaiveDueInput) =>
  applyAsStaff(
    ctx,
    'rental.waive_due',
    input,
    async (_tx, rental) => {
      // A second click of the same reduction finds the due it was meant for already reduced.
      if (rental.dueAmount !== input.expectedDue) {
        throw new DomainError('CONFLICT', `the due is ${rental.dueAmount} now, not ${input.expectedDue}`, {
          dueAmount: rental.dueAmount,
        });
      }
      return { type: 'WAIVE_DUE', amount: input.amount ?? rental.dueAmount };
    },
    'this rental has no due to waive',
  );

/**
 * Closes a stuck rental through the rental machine, never by writing its status:
 * `returned` settles exactly as a station's return does (charges, points, notice);
 * `lost` charges the power bank's price; `refunded` gives the start payment back.
 */
export const forceCloseRental = (ctx: AdminContext, input: ForceCloseInput) =>
  applyAsStaff(
    ctx,
    `rental.force_close_${input.outcome}`,
    input,
    async (tx, rental) => {
      if (input.outcome === 'lost') return { type: 'MARK_LOST' };
      if (input.outcome === 'refunded') return { type: 'FORCE_REFUND' };
      const station = input.stationSn
        ? await tx.findOne(Station, { serialNumber: input.stationSn }, { fields: ['serialNumber'] })
        : rental.startStation;
      if (!station) throw new DomainError('NOT_FOUND', 'no station with this serial number');
      return { type: 'RETURNED', stationSn: station.serialNumber, slot: null, at: Date.now() };
    },
    `a rental closes as ${input.outcome} only while ${CLOSABLE[input.outcome]}`,
  );
