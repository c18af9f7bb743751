import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RentalOrder, Schedule } from '@powerbank/db';
import { orderNotice } from './order-notices.ts';
import { transitionOrder } from './order-transitions.ts';
import { scheduleSettings } from './schedule-settings.ts';

/** The longest reminder lead a seller can set (minutes): how far ahead the job looks. */
const MAX_REMINDER_MINUTES = 1440;

/**
 * The reminder job (pg-boss, every minute): a notice to the customer — and the assigned staff
 * user — once the slot is within the seller's `reminder_minutes`, through the notification rules
 * (type `market_handover_reminder`). One per slot: `reminded_at` is set in the same transaction,
 * the rows are taken with SKIP LOCKED, and the dedupe key holds the slot's time. Answers how many.
 */
export async function remindHandovers(em: EntityManager, now = new Date(), limit = 500): Promise<number> {
  return em.fork().transactional(async (tem) => {
    const due = await tem.find(
      Schedule,
      {
        actualAt: null,
        remindedAt: null,
        scheduledFor: { $gt: now, $lte: new Date(now.getTime() + MAX_REMINDER_MINUTES * 60_000) },
        order: { status: { $in: ['confirmed', 'active'] } },
      },
      {
        populate: ['order'],
        lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE,
        limit,
        orderBy: { scheduledFor: 'asc' },
      },
    );
    const settings = await scheduleSettings(
      tem,
      due.map((s) => s.order.seller.id),
    );
    let sent = 0;
    for (const s of due) {
      const lead = settings.get(s.order.seller.id)?.reminderMinutes ?? 0;
      if (s.scheduledFor.getTime() - lead * 60_000 > now.getTime()) continue;
      const notice = {
        type: 'market_handover_reminder',
        title: s.type === 'pickup' ? 'Pickup soon' : 'Return soon',
        body: `Your ${s.type} is at ${s.scheduledFor.toISOString()}.`,
        vars: { type: s.type, scheduled_for: s.scheduledFor.toISOString() },
        key: `${s.type}:${s.scheduledFor.toISOString()}`,
      };
      orderNotice(tem, s.order, notice);
      if (s.assignedTo) orderNotice(tem, s.order, { ...notice, userId: s.assignedTo.id });
      s.remindedAt = now;
      sent++;
    }
    await tem.flush();
    return sent;
  });
}

/**
 * The missed-pickup job (pg-boss, every five minutes): a paid order not picked up by its pickup
 * slot (or, with none booked, its start) plus the seller's `pickup_grace_minutes` is cancelled
 * through the order machine — refund by the cancellation policy, deposit released, items freed —
 * and the customer is told. SKIP LOCKED, so a pickup in flight is not waited for (and, once
 * committed, takes the order out of reach). Answers how many.
 */
export async function cancelMissedPickups(em: EntityManager, now = new Date(), limit = 200): Promise<number> {
  return em.fork().transactional(async (tem) => {
    // A pickup slot is never more than a day before the start (schedules.service): candidates
    // start before tomorrow.
    const candidates = await tem.find(
      RentalOrder,
      { status: 'confirmed', startTs: { $lt: new Date(now.getTime() + 86_400_000) } },
      { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, limit, orderBy: { startTs: 'asc' } },
    );
    if (candidates.length === 0) return 0;
    const pickups = await tem.find(Schedule, { order: { $in: candidates.map((o) => o.id) }, type: 'pickup' });
    const slotOf = new Map(pickups.map((s) => [s.order.id, s.scheduledFor]));
    const settings = await scheduleSettings(
      tem,
      candidates.map((o) => o.seller.id),
    );
    let cancelled = 0;
    for (const order of candidates) {
      const grace = settings.get(order.seller.id)?.pickupGraceMinutes ?? 0;
      const deadline = (slotOf.get(order.id) ?? order.startTs).getTime() + grace * 60_000;
      if (deadline > now.getTime()) continue;
      const done = await transitionOrder(tem, order, { type: 'CANCEL' }, { actor: null });
      if (!done) continue;
      orderNotice(tem, order, {
        type: 'market_pickup_missed',
        title: 'Pickup missed',
        body: 'The pickup time passed: the order was cancelled per the cancellation policy.',
        vars: { refunded: done.refunded },
      });
      cancelled++;
    }
    await tem.flush();
    return cancelled;
  });
}
