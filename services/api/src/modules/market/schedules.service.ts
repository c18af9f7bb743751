import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  advisoryXactLock,
  RentalOrder,
  Schedule,
  SellerScheduleSettings,
  SellerStaff,
  User,
} from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import {
  lockCustomerOrder,
  orderNotice,
  type ScheduleSettings,
  sellerScheduleSettings,
  slotProblem,
} from '@powerbank/market';
import type {
  ConfirmScheduleInput,
  ProposeScheduleInput,
  ScheduleSettingsInput,
} from './handover.schemas.ts';
import { marketDb } from './market-db.ts';

const DAY = 86_400_000;

const scheduleOutput = (s: Schedule) => ({
  id: s.id,
  order_id: s.order.id,
  type: s.type,
  status: s.status,
  scheduled_for: s.scheduledFor,
  actual_at: s.actualAt ?? null,
  assigned_to: s.assignedTo?.id ?? null,
  reschedule_count: s.rescheduleCount,
});

const settingsOutput = (sellerId: string, s: ScheduleSettings) => ({
  seller_id: sellerId,
  hours: s.hours,
  slot_minutes: s.slotMinutes,
  slot_capacity: s.slotCapacity,
  max_reschedules: s.maxReschedules,
  pickup_grace_minutes: s.pickupGraceMinutes,
  reminder_minutes: s.reminderMinutes,
});

export async function getScheduleSettings(em: EntityManager, sellerId: string) {
  return settingsOutput(sellerId, await sellerScheduleSettings(em, sellerId));
}

/** `market.schedules.setSettings`: the seller's opening hours, slot length and capacity, limits. */
export async function putScheduleSettings(em: EntityManager, sellerId: string, input: ScheduleSettingsInput) {
  const values = {
    hours: input.hours,
    slotMinutes: input.slot_minutes,
    slotCapacity: input.slot_capacity,
    maxReschedules: input.max_reschedules,
    pickupGraceMinutes: input.pickup_grace_minutes,
    reminderMinutes: input.reminder_minutes,
  };
  await em.upsert(
    SellerScheduleSettings,
    { seller: em.getReference(User, sellerId), ...values },
    { onConflictFields: ['seller'], onConflictAction: 'merge' },
  );
  return getScheduleSettings(em.fork(), sellerId);
}

/** When each handover may be booked, relative to the order's period. */
function checkWindow(order: RentalOrder, type: 'pickup' | 'return', slot: Date): void {
  const ok =
    type === 'pickup'
      ? slot.getTime() >= order.startTs.getTime() - DAY && slot.getTime() < order.endTs.getTime()
      : slot.getTime() > order.startTs.getTime() && slot.getTime() <= order.endTs.getTime() + DAY;
  if (!ok) {
    throw new DomainError(
      'VALIDATION_FAILED',
      type === 'pickup'
        ? 'a pickup is booked from a day before the start until the end'
        : 'a return is booked after the start, until a day after the end',
    );
  }
}

/**
 * Takes a place in the seller's slot, or refuses (409) when it is full. Check-then-act under a
 * transaction-scoped advisory lock on (seller, slot), so the count is taken after the lock is
 * held: two customers booking the last place get one place between them.
 */
async function takeSlot(
  tem: EntityManager,
  sellerId: string,
  settings: ScheduleSettings,
  slot: Date,
  excludeId: string | null,
): Promise<void> {
  const problem = slotProblem(settings, slot, Date.now());
  if (problem) throw new DomainError('VALIDATION_FAILED', problem);
  await advisoryXactLock(tem, `market-slot:${sellerId}:${slot.toISOString()}`);
  let q = marketDb(tem)
    .selectFrom('schedule as s')
    .innerJoin('rental_order as o', 'o.id', 's.order_id')
    .select((eb) => eb.fn.countAll<string>().as('taken'))
    .where('o.seller_id', '=', sellerId)
    .where('s.scheduled_for', '=', slot)
    .where('s.actual_at', 'is', null)
    .where('o.status', 'in', ['confirmed', 'active']);
  if (excludeId) q = q.where('s.id', '!=', excludeId);
  const { taken } = await q.executeTakeFirstOrThrow();
  if (Number(taken) >= settings.slotCapacity) {
    throw new DomainError('CONFLICT', 'this slot is full: choose another', {
      capacity: settings.slotCapacity,
    });
  }
}

/**
 * `market.schedules.propose`: the customer books (or moves) the pickup or return slot of a paid
 * order. Moving counts against the seller's `max_reschedules`; a moved appointment is proposed
 * again (the seller confirms it). Under the order's row lock.
 */
export async function proposeSchedule(em: EntityManager, customerId: string, input: ProposeScheduleInput) {
  return em.fork().transactional(async (tem) => {
    const order = await lockCustomerOrder(tem, customerId, input.id);
    const open = input.type === 'pickup' ? ['confirmed'] : ['confirmed', 'active'];
    if (!open.includes(order.status)) {
      throw new DomainError('BUSINESS_RULE', `an order ${order.status} has no ${input.type} to book`);
    }
    checkWindow(order, input.type, input.slot);
    const settings = await sellerScheduleSettings(tem, order.seller.id);
    let schedule = await tem.findOne(Schedule, { order: order.id, type: input.type });
    if (schedule && schedule.scheduledFor.getTime() === input.slot.getTime()) return scheduleOutput(schedule);
    if (schedule?.actualAt) throw new DomainError('BUSINESS_RULE', `the ${input.type} has happened`);
    if (schedule && schedule.rescheduleCount >= settings.maxReschedules) {
      throw new DomainError(
        'BUSINESS_RULE',
        `this ${input.type} was moved ${settings.maxReschedules} times already`,
      );
    }
    await takeSlot(tem, order.seller.id, settings, input.slot, schedule?.id ?? null);
    if (schedule) {
      schedule.rescheduleCount += 1;
      schedule.scheduledFor = input.slot;
      schedule.status = 'proposed';
      schedule.remindedAt = null;
    } else {
      schedule = tem.create(Schedule, { order, type: input.type, scheduledFor: input.slot });
    }
    orderNotice(tem, order, {
      type: 'market_schedule_proposed',
      title: `${input.type} proposed`,
      body: `A customer proposed ${input.slot.toISOString()} for a ${input.type}.`,
      vars: { type: input.type, scheduled_for: input.slot.toISOString() },
      userId: order.seller.id,
      key: `${input.type}:${input.slot.toISOString()}`,
    });
    await tem.flush();
    return scheduleOutput(schedule);
  });
}

async function isStaff(em: EntityManager, sellerId: string, userId: string): Promise<boolean> {
  return userId === sellerId || (await em.count(SellerStaff, { seller: sellerId, user: userId })) > 0;
}

/** `market.schedules.confirm`: the seller confirms an appointment, moves it (capacity checked), and/or assigns staff. */
export async function confirmSchedule(em: EntityManager, sellerId: string, input: ConfirmScheduleInput) {
  return em.fork().transactional(async (tem) => {
    const found = await tem.findOne(Schedule, { id: input.id, order: { seller: sellerId } });
    if (!found) throw new DomainError('NOT_FOUND', 'no such schedule');
    // The order's lock first (as the customer's and the handover's paths take it), then the row.
    const order = await tem.findOneOrFail(
      RentalOrder,
      { id: found.order.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    const schedule = await tem.findOneOrFail(Schedule, { id: input.id }, { refresh: true });
    if (schedule.actualAt) throw new DomainError('BUSINESS_RULE', `the ${schedule.type} has happened`);
    if (input.assigned_to) {
      if (!(await isStaff(tem, sellerId, input.assigned_to))) {
        throw new DomainError('VALIDATION_FAILED', 'assigned_to must be you or one of your staff');
      }
      schedule.assignedTo = tem.getReference(User, input.assigned_to);
    }
    if (input.slot && input.slot.getTime() !== schedule.scheduledFor.getTime()) {
      checkWindow(order, schedule.type, input.slot);
      await takeSlot(tem, sellerId, await sellerScheduleSettings(tem, sellerId), input.slot, schedule.id);
      schedule.scheduledFor = input.slot;
      schedule.remindedAt = null;
    }
    schedule.status = 'confirmed';
    orderNotice(tem, order, {
      type: 'market_schedule_confirmed',
      title: `${schedule.type} confirmed`,
      body: `Your ${schedule.type} is confirmed for ${schedule.scheduledFor.toISOString()}.`,
      vars: { type: schedule.type, scheduled_for: schedule.scheduledFor.toISOString() },
      key: `${schedule.type}:${schedule.scheduledFor.toISOString()}`,
    });
    await tem.flush();
    return scheduleOutput(schedule);
  });
}

/** `market.schedules.ofOrder`: an order's appointments (its customer or seller). */
export async function orderSchedules(em: EntityManager, userId: string, orderId: string) {
  const order = await em.findOne(RentalOrder, {
    id: orderId,
    $or: [{ customer: userId }, { seller: userId }],
  });
  if (!order) throw new DomainError('NOT_FOUND', 'no such order');
  const rows = await em.find(Schedule, { order: orderId }, { orderBy: { scheduledFor: 'asc' } });
  return { results: rows.map(scheduleOutput) };
}

/** `market.schedules.upcoming`: the seller's (or a staff member's employer's) appointments in a window. */
export async function sellerSchedules(
  em: EntityManager,
  sellerId: string,
  input: { from: Date; to: Date; limit: number },
) {
  const rows = await em.find(
    Schedule,
    { order: { seller: sellerId }, scheduledFor: { $gte: input.from, $lt: input.to } },
    { orderBy: { scheduledFor: 'asc' }, limit: input.limit },
  );
  return { results: rows.map(scheduleOutput) };
}

/** `market.schedules.addStaff`: a user who may scan this seller's handovers and be assigned to them. */
export async function addStaff(em: EntityManager, sellerId: string, userId: string) {
  if (userId === sellerId) throw new DomainError('VALIDATION_FAILED', 'you are your own staff already');
  if (!(await em.findOne(User, { id: userId }))) throw new DomainError('NOT_FOUND', 'no such user');
  await em.upsert(
    SellerStaff,
    { seller: em.getReference(User, sellerId), user: em.getReference(User, userId) },
    { onConflictFields: ['seller', 'user'], onConflictAction: 'ignore' },
  );
  return listStaff(em.fork(), sellerId);
}

export async function listStaff(em: EntityManager, sellerId: string) {
  const rows = await em.find(SellerStaff, { seller: sellerId }, { orderBy: { createdAt: 'asc' } });
  return { results: rows.map((r) => ({ user_id: r.user.id, added_at: r.createdAt })) };
}
