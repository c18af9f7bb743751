import { couponDiscount, type DiscountCoupon } from '@powerbank/domain';

/**
 * The user's discount coupon the next prepaid rental start takes, as a jsonb `{ id, code, kind,
 * value }` or null: the oldest applied and not yet used, within the coupon's dates, in the
 * package's currency when it is an amount. A select-list expression over the user at `user` and
 * the package at `packageId`, so the rental start reads it in its first statement (no round trip)
 * and calculate-options prices the package with it.
 */
export const nextDiscountSql = (user: string, packageId: string) =>
  `(select to_jsonb(d) from (
      select cu.id, c.code, c.kind, c.value
        from coupon_usage cu join coupon c on c.id = cu.coupon_id
       where cu.user_id = ${user} and cu.rental_id is null and c.kind <> 'points' and c.valid_to > now()
         and (c.kind = 'percent_discount'
              or c.currency = (select currency from rental_package where id = ${packageId}))
       order by cu.created_at, cu.id
       limit 1) d)`;

/** A row of `nextDiscountSql`. */
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
