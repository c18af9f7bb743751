import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Coupon, CouponUsage, RentalOrder, User } from '@powerbank/db';
import { type Discount, DomainError } from '@powerbank/domain';

/** A discount coupon read for an order: what priceRental takes off, and how the order takes it. */
export interface OrderCoupon {
  coupon: Coupon;
  discount: Discount;
  /** The user's applied, not yet used usage of this coupon (promotions' apply-coupon), taken first. */
  waitingUsageId: string | null;
}

const refuse = (reason: string, message: string) => new DomainError('BUSINESS_RULE', message, { reason });

/** The checks every use of a coupon shares (quote and checkout): active, in its dates, a discount in the order's currency. */
function discountOf(coupon: Coupon | null, currency: string): Discount {
  if (!coupon?.isActive) throw new DomainError('NOT_FOUND', 'no such coupon');
  const now = Date.now();
  if (coupon.validFrom.getTime() > now) throw refuse('coupon_not_started', 'this coupon is not valid yet');
  if (coupon.validTo.getTime() <= now) throw refuse('coupon_expired', 'this coupon has expired');
  if (coupon.kind === 'points')
    throw refuse('not_a_discount', 'a points coupon is applied, not used on an order');
  if (coupon.kind === 'amount_discount' && coupon.currency !== currency) {
    throw refuse('coupon_currency', `this coupon is in ${coupon.currency}, the product in ${currency}`);
  }
  return coupon.kind === 'percent_discount'
    ? { kind: 'percent', percent: coupon.value, label: `Coupon ${coupon.code}` }
    : { kind: 'fixed', amount: coupon.value, label: `Coupon ${coupon.code}` };
}

/** For the quote: the coupon's discount if it could be used now; the user's own limits are the checkout's. */
export async function quoteCoupon(em: EntityManager, code: string, currency: string): Promise<Discount> {
  return discountOf(await em.findOne(Coupon, { code: code.toUpperCase() }), currency);
}

/**
 * For the checkout, inside its transaction, first: the coupon's row locked (every use of one
 * coupon, by orders or apply-coupon, is serialised on it) before anything else is read, so the
 * reads after it see what committed meanwhile. `orderCoupon` checks it once the product is read.
 */
export const lockCoupon = (tem: EntityManager, code: string): Promise<Coupon | null> =>
  tem.findOne(Coupon, { code: code.toUpperCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE });

/**
 * The locked coupon (`lockCoupon`) checked for the order: the user's usages are read in statements
 * after the lock — under READ COMMITTED the locking statement's snapshot predates its wait, a later
 * statement sees what committed meanwhile. A usage the user applied earlier and has not used is
 * taken; otherwise a new one, within the per-user limit and the global cap (`used_count`).
 */
export async function orderCoupon(
  tem: EntityManager,
  userId: string,
  coupon: Coupon | null,
  currency: string,
): Promise<OrderCoupon> {
  const discount = discountOf(coupon, currency);
  const locked = coupon as Coupon;
  const waiting = await tem.findOne(
    CouponUsage,
    { coupon: locked.id, user: userId, rental: null, rentalOrder: null },
    { orderBy: { createdAt: 'asc' }, fields: ['id'] },
  );
  if (!waiting) {
    const mine = await tem.count(CouponUsage, { coupon: locked.id, user: userId });
    if (mine >= locked.perUserLimit) {
      throw new DomainError('CONFLICT', 'you have already used this coupon', {
        reason: 'already_used',
        perUserLimit: locked.perUserLimit,
      });
    }
    if (locked.globalLimit != null && locked.usedCount >= locked.globalLimit) {
      throw refuse('coupon_exhausted', 'this coupon has been used up');
    }
  }
  return { coupon: locked, discount, waitingUsageId: waiting?.id ?? null };
}

/**
 * The order takes the coupon, once the order's row is written: the waiting usage — conditionally,
 * since a power-bank rental start takes waiting usages without the coupon's lock — or a new one
 * counted against the cap. `amount` is the discount priceRental gave.
 */
export async function takeOrderCoupon(
  tem: EntityManager,
  taken: OrderCoupon,
  order: { id: string; customerId: string },
  amount: number,
): Promise<void> {
  if (taken.waitingUsageId) {
    const took = await tem.nativeUpdate(
      CouponUsage,
      { id: taken.waitingUsageId, rental: null, rentalOrder: null },
      { rentalOrder: order.id, discountAmount: amount },
    );
    if (!took) throw new DomainError('CONFLICT', 'this coupon was just used by another rental; try again');
    return;
  }
  tem.create(CouponUsage, {
    coupon: taken.coupon,
    user: tem.getReference(User, order.customerId),
    rentalOrder: tem.getReference(RentalOrder, order.id),
    discountAmount: amount,
  });
  taken.coupon.usedCount += 1;
  await tem.flush();
}
