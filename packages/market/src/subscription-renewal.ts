import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type SubscriptionPlan, UserSubscription } from '@powerbank/db';
import { afterFailedRenewal, DomainError, nextPeriod, type PaymentMode } from '@powerbank/domain';
import { payFromBalances } from '@powerbank/ledger';
import { queueNotice } from '@powerbank/notify';
import { readMarketConfig } from './market-config.ts';

/** The payment key of a subscription's period: whatever runs the charge, each period is paid once. */
export const periodKey = (subscriptionId: string, period: number) =>
  `subscription:${subscriptionId}:period:${period}`;

/**
 * Charges one period of a subscription through the ledger (`payFromBalances`, type
 * `subscription`) under the period's key. `atomicWithCaller` when the caller's transaction
 * fails as a whole with the payment (the first period, charged with the new row); otherwise
 * the payment runs in a savepoint and a refusal leaves the caller's transaction usable.
 */
export async function chargePeriod(
  em: EntityManager,
  sub: { id: string; userId: string; mode: PaymentMode; period: number },
  plan: SubscriptionPlan,
  atomicWithCaller: boolean,
): Promise<{ charged: number; transactionId: string | null }> {
  const amount = Number(plan.price);
  if (amount <= 0) return { charged: 0, transactionId: null };
  const paid = await payFromBalances(em, {
    userId: sub.userId,
    amount,
    type: 'subscription',
    mode: sub.mode,
    reference: { type: 'user_subscription', id: sub.id },
    idempotencyKey: periodKey(sub.id, sub.period),
    description: `${plan.name}, period ${sub.period}`,
    atomicWithCaller,
  });
  return { charged: paid.replayed ? 0 : amount, transactionId: paid.transactionId };
}

export type RenewalOutcome = 'renewed' | 'retry' | 'lapsed' | 'cancelled' | 'not_due';

const notice = (sub: UserSubscription, type: string, title: string, body: string, dedupe: string) => ({
  userId: sub.user.id,
  type,
  title,
  body,
  vars: {
    plan: sub.plan.name,
    subscription_id: sub.id,
    period: sub.period,
    ends_at: sub.endsAt.toISOString(),
  },
  dedupeKey: `subscription:${sub.id}:${dedupe}`,
});

/**
 * One due subscription, locked: a customer's cancellation ends it at the period's end; otherwise
 * the next period is charged (its own key) and the period moves on; a refused charge is retried
 * after `market_subscription_retry_minutes` until `market_subscription_renewal_attempts` failed,
 * then the subscription lapses (`expired`). Every outcome is told to the customer in the same
 * transaction. A second run for the same period finds the row no longer due (its lock waits for
 * the first, then reads the moved period), and the period's payment key would replay anyway.
 */
async function renewLocked(tem: EntityManager, sub: UserSubscription, now: Date): Promise<RenewalOutcome> {
  if (sub.cancelAtPeriodEnd) {
    sub.status = 'cancelled';
    sub.nextAttemptAt = null;
    queueNotice(
      tem,
      notice(
        sub,
        'market_subscription_ended',
        'Subscription ended',
        `Your ${sub.plan.name} plan has ended.`,
        'ended',
      ),
    );
    return 'cancelled';
  }
  const plan = sub.plan;
  const period = sub.period + 1;
  try {
    if (!plan.isActive) throw new DomainError('BUSINESS_RULE', 'the plan is no longer offered');
    await chargePeriod(tem, { id: sub.id, userId: sub.user.id, mode: sub.paymentMode, period }, plan, false);
  } catch (error) {
    const refused =
      error instanceof DomainError &&
      ['INSUFFICIENT_FUNDS', 'BUSINESS_RULE', 'NOT_FOUND'].includes(error.code);
    if (!refused) throw error;
    const config = await readMarketConfig(tem);
    const next = plan.isActive
      ? afterFailedRenewal(
          sub.renewalAttempts,
          {
            attempts: config.market_subscription_renewal_attempts,
            retryMinutes: config.market_subscription_retry_minutes,
          },
          now,
        )
      : ({ kind: 'lapse', attempts: sub.renewalAttempts + 1 } as const);
    sub.renewalAttempts = next.attempts;
    if (next.kind === 'retry') {
      sub.nextAttemptAt = next.nextAttemptAt;
      queueNotice(
        tem,
        notice(
          sub,
          'market_subscription_renewal_failed',
          'Subscription renewal failed',
          `We could not charge your ${plan.name} plan; we will try again. Top up to keep it.`,
          `period:${period}:attempt:${next.attempts}`,
        ),
      );
      return 'retry';
    }
    sub.status = 'expired';
    sub.nextAttemptAt = null;
    queueNotice(
      tem,
      notice(
        sub,
        'market_subscription_lapsed',
        'Subscription lapsed',
        `Your ${plan.name} plan lapsed: its renewal could not be charged.`,
        `period:${period}:lapsed`,
      ),
    );
    return 'lapsed';
  }
  const moved = nextPeriod(sub.endsAt, plan.durationDays);
  sub.period = period;
  sub.startsAt = moved.startsAt;
  sub.endsAt = moved.endsAt;
  sub.renewalAttempts = 0;
  sub.nextAttemptAt = moved.endsAt;
  queueNotice(
    tem,
    notice(
      sub,
      'market_subscription_renewed',
      'Subscription renewed',
      `Your ${plan.name} plan is renewed until ${moved.endsAt.toISOString().slice(0, 10)}.`,
      `period:${period}:renewed`,
    ),
  );
  return 'renewed';
}

const due = (now: Date) => ({ status: 'active' as const, nextAttemptAt: { $lte: now } });

/** One subscription, if still due once locked, renewed in its own transaction. */
function renewOne(em: EntityManager, id: string, now: Date, skipLocked: boolean): Promise<RenewalOutcome> {
  return em.fork().transactional(async (tem) => {
    const sub = await tem.findOne(
      UserSubscription,
      { id, ...due(now) },
      { lockMode: skipLocked ? LockMode.PESSIMISTIC_PARTIAL_WRITE : LockMode.PESSIMISTIC_WRITE },
    );
    if (!sub) return 'not_due';
    // The plan by a plain read after the lock: a populated join would lock the plan's row too.
    await tem.populate(sub, ['plan']);
    const outcome = await renewLocked(tem, sub, now);
    await tem.flush();
    return outcome;
  });
}

/** Renews one subscription if it is due (waiting for a concurrent run of it, then finding it renewed). */
export function renewSubscription(em: EntityManager, id: string, now = new Date()): Promise<RenewalOutcome> {
  return renewOne(em, id, now, false);
}

/**
 * The renewal job (registered on the pg-boss worker): every subscription due now, each in its own
 * transaction so one customer's failure does not hold back the others. Rows another run holds are
 * skipped (SKIP LOCKED) and left to it. Returns the count of each outcome.
 */
export async function renewDueSubscriptions(
  em: EntityManager,
  now = new Date(),
  limit = 500,
): Promise<Record<RenewalOutcome, number>> {
  const counts: Record<RenewalOutcome, number> = {
    renewed: 0,
    retry: 0,
    lapsed: 0,
    cancelled: 0,
    not_due: 0,
  };
  const rows = await em
    .fork()
    .find(UserSubscription, due(now), { fields: ['id'], orderBy: { nextAttemptAt: 'asc' }, limit });
  // One subscription's unexpected failure (not a refused charge) does not hold back the others;
  // the job then fails as a whole so pg-boss retries it (every renewal is keyed by its period).
  let failure: unknown = null;
  for (const { id } of rows) {
    try {
      counts[await renewOne(em, id, now, true)]++;
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure) throw failure;
  return counts;
}
