import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SubscriptionPlan, User, UserSubscription } from '@powerbank/db';
import { DomainError, nextPeriod } from '@powerbank/domain';
import { chargePeriod } from '@powerbank/market';
import { clientKey } from '../../platform/client-key.ts';
import type { SubscribeInput, SubscriptionOutput } from './market.schemas.ts';

const planOutput = (plan: SubscriptionPlan) => ({
  id: plan.id,
  name: plan.name,
  discount_pct: plan.discountPct,
  duration_days: plan.durationDays,
  price: Number(plan.price),
  currency: plan.currency,
  included_products: plan.includedProducts,
});

const subscriptionOutput = (sub: UserSubscription, plan: SubscriptionPlan): SubscriptionOutput => ({
  id: sub.id,
  plan: planOutput(plan),
  status: sub.status,
  starts_at: sub.startsAt,
  ends_at: sub.endsAt,
  period: sub.period,
  payment_mode: sub.paymentMode,
  cancel_at_period_end: sub.cancelAtPeriodEnd,
  renewal_attempts: sub.renewalAttempts,
  next_attempt_at: sub.nextAttemptAt ?? null,
  created_at: sub.createdAt,
});

/** The plans on offer. */
export async function listPlans(em: EntityManager) {
  const plans = await em.find(SubscriptionPlan, { isActive: true }, { orderBy: { price: 'asc', id: 'asc' } });
  return { results: plans.map(planOutput) };
}

/** The customer's subscriptions, newest first (ended ones too). */
export async function mySubscriptions(em: EntityManager, userId: string) {
  const subs = await em.find(
    UserSubscription,
    { user: userId },
    { populate: ['plan'], orderBy: { createdAt: 'desc' }, limit: 100 },
  );
  return { results: subs.map((s) => subscriptionOutput(s, s.plan)) };
}

/**
 * `market.subscriptions.subscribe`: the subscription row and its first period's charge in one
 * transaction (a refused charge leaves no subscription). One live subscription per customer and
 * plan is the database's rule (a partial unique index), so two subscribes at once make one: the
 * same key answers the first, another key is 409. The first renewal is due at the period's end.
 */
export async function subscribe(
  em: EntityManager,
  userId: string,
  input: SubscribeInput,
): Promise<SubscriptionOutput> {
  const key = clientKey(userId, 'market-subscribe', String(input.plan_id), input.idempotency_key);
  try {
    return await em.fork().transactional(async (tem) => {
      const plan = await tem.findOne(SubscriptionPlan, { id: input.plan_id, isActive: true });
      if (!plan) throw new DomainError('NOT_FOUND', 'no such plan');
      const period = nextPeriod(new Date(), plan.durationDays);
      const sub = tem.create(UserSubscription, {
        user: tem.getReference(User, userId),
        plan,
        status: 'active',
        startsAt: period.startsAt,
        endsAt: period.endsAt,
        period: 1,
        paymentMode: input.payment_mode,
        nextAttemptAt: period.endsAt,
        idempotencyKey: key,
      });
      // The unique indexes decide here, before any money moves: a concurrent subscribe waits for this one.
      await tem.flush();
      await chargePeriod(tem, { id: sub.id, userId, mode: input.payment_mode, period: 1 }, plan, true);
      return subscriptionOutput(sub, plan);
    });
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    const first = await em.fork().findOne(UserSubscription, { idempotencyKey: key }, { populate: ['plan'] });
    if (!first) throw new DomainError('CONFLICT', 'you already have a live subscription to this plan');
    if (first.paymentMode !== input.payment_mode) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'this idempotency key was used for a different subscribe',
      );
    }
    return subscriptionOutput(first, first.plan);
  }
}

/**
 * `market.subscriptions.cancel`: no renewal; the paid period runs to its end, when the renewal job
 * ends it. A subscription whose period already ended (its renewal failing) ends now. Cancelling
 * twice answers the same.
 */
export async function cancelSubscription(
  em: EntityManager,
  userId: string,
  id: string,
): Promise<SubscriptionOutput> {
  return em.fork().transactional(async (tem) => {
    const sub = await tem.findOne(
      UserSubscription,
      { id, user: userId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!sub) throw new DomainError('NOT_FOUND', 'no such subscription');
    if (sub.status === 'active' && !sub.cancelAtPeriodEnd) {
      sub.cancelAtPeriodEnd = true;
      if (sub.endsAt.getTime() <= Date.now()) {
        sub.status = 'cancelled';
        sub.nextAttemptAt = null;
      }
      await tem.flush();
    } else if (sub.status === 'expired') {
      throw new DomainError('BUSINESS_RULE', 'this subscription has lapsed already');
    }
    const plan = await tem.findOneOrFail(SubscriptionPlan, { id: sub.plan.id });
    return subscriptionOutput(sub, plan);
  });
}
