import { jsonObjectFrom, queryBuilder, sql } from '@powerbank/db';
import { couponDiscount, type DiscountCoupon } from '@powerbank/domain';

/**
 * The user's discount coupon the next prepaid rental start takes, as a json `{ id, code, kind,
 * value }` or null: the oldest applied and not yet used, within the coupon's dates, in the
 * package's currency when it is an amount. A select-list expression over the user `user` and the
 * package `packageId` (parameters of a `prepared` query), so the rental start reads it in its first statement (no round trip) and calculate-options prices
 * the package with it.
 */
export const nextDiscount = (user: string, packageId: number) =>
  jsonObjectFrom(
    queryBuilder
      .selectFrom('coupon_usage as cu')
      .innerJoin('coupon as c', 'c.id', 'cu.coupon_id')
      .select(['cu.id', 'c.code', 'c.kind', 'c.value'])
      .where('cu.user_id', '=', user)
      .where('cu.rental_id', 'is', null)
      .where('cu.rental_order_id', 'is', null)
      .where('c.kind', '<>', 'points')
      .where('c.valid_to', '>', sql<Date>`now()`)
      .where((eb) =>
        eb.or([
          eb('c.kind', '=', 'percent_discount'),
          eb(
            'c.currency',
            '=',
            eb.selectFrom('rental_package').select('currency').where('id', '=', packageId),
          ),
        ]),
      )
      .orderBy('cu.created_at')
      .orderBy('cu.id')
      .limit(1),
    // The filter leaves out points coupons: what remains is a discount.
  ).$castTo<NextDiscount | null>();

/** A row of `nextDiscount`. */
export interface NextDiscount extends DiscountCoupon {
  id: string;
  code: string;
}

/** What the discount takes off a prepaid package's price (postpaid packages keep it for later). */
export function discountOn(
  discount: NextDiscount | null,
  pkg: { paymentModel: string; price: number },
): { usage: NextDiscount; amount: number } | null {
  if (!discount || pkg.paymentModel !== 'prepaid') return null;
  const amount = couponDiscount(discount, pkg.price);
  return amount > 0 ? { usage: discount, amount } : null;
}
