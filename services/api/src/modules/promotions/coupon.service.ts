import type { EntityManager } from '@mikro-orm/postgresql';
import { now, prepared, runPrepared, sqlRows } from '@powerbank/db';
import { DomainError, formatMoney } from '@powerbank/domain';
import { notifyEngagement } from '@powerbank/engagement';
import { ledger } from '@powerbank/ledger';
import { uuidv7 } from 'uuidv7';
import { clientKey } from '../../platform/client-key.ts';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import type {
  ApplyCouponInput,
  CouponUsageOutput,
  MyCouponsInput,
  MyCouponsOutput,
} from './coupon.schemas.ts';

interface LockedCoupon {
  id: number;
  code: string;
  kind: 'points' | 'percent_discount' | 'amount_discount';
  value: number;
  per_user_limit: number;
  global_limit: number | null;
  used_count: number;
  is_active: boolean;
  not_started: boolean;
  ended: boolean;
}

const refuse = (reason: string, message: string) => new DomainError('BUSINESS_RULE', message, { reason });

/**
 * `promotions/apply-coupon` (RULES.md "Engagement"): a points coupon credits its points through
 * the ledger at once; a discount coupon is stored for the user's next prepaid rental start. The
 * coupon's row is locked first, which serialises every apply of one coupon; the user's usages
 * are counted in a statement after the lock (under READ COMMITTED the locking statement's own
 * snapshot predates its wait, so a count there would miss applies committed meanwhile), and the
 * global cap is checked on the locked row's `used_count`, which the apply raises in the same
 * transaction — 1,000 concurrent applies of a coupon capped at 100 make exactly 100 usages.
 */
export async function applyCoupon(
  em: EntityManager,
  userId: string,
  input: ApplyCouponInput,
): Promise<CouponUsageOutput> {
  const key = input.idempotency_key ? clientKey(userId, 'coupon', input.code, input.idempotency_key) : null;
  const usageId = await em.transactional(async (tx) => {
    const [coupon] = await sqlRows<LockedCoupon>(
      tx,
      `select id, code, kind, value, per_user_limit, global_limit, used_count, is_active,
              now() < valid_from as not_started, now() >= valid_to as ended
         from coupon where code = $1
          for update`,
      [input.code],
    );
    if (!coupon?.is_active) throw new DomainError('NOT_FOUND', 'no such coupon');
    const [seen] = await sqlRows<{ mine: string; earlier: string | null }>(
      tx,
      `select (select count(*) from coupon_usage where coupon_id = $1 and user_id = $2) as mine,
              (select id from coupon_usage where idempotency_key = $3) as earlier`,
      [coupon.id, userId, key],
    );
    // A retry of an apply that went through answers it, whatever changed since.
    if (seen?.earlier) return seen.earlier;
    if (coupon.not_started) throw refuse('coupon_not_started', 'this coupon is not valid yet');
    if (coupon.ended) throw refuse('coupon_expired', 'this coupon has expired');
    if (Number(seen?.mine) >= coupon.per_user_limit) {
      throw new DomainError('CONFLICT', 'you have already used this coupon', {
        reason: 'already_used',
        perUserLimit: coupon.per_user_limit,
      });
    }
    if (coupon.global_limit !== null && coupon.used_count >= coupon.global_limit) {
      throw refuse('coupon_exhausted', 'this coupon has been used up');
    }
    const id = uuidv7();
    const points = coupon.kind === 'points' ? coupon.value : 0;
    await runPrepared(tx, TAKE_COUPON, { id, couponId: coupon.id, userId, points, key });
    if (points > 0) {
      // The key derives from the usage created here, under the coupon's lock: no savepoint needed.
      await ledger.creditPoints(tx, {
        userId,
        amount: points,
        type: 'coupon',
        idempotencyKey: `coupon:${id}`,
        reference: { type: 'coupon_usage', id },
        description: `Coupon ${coupon.code}`,
        atomicWithCaller: true,
      });
    }
    await notifyEngagement(tx, {
      userId,
      type: 'coupon_applied',
      title: 'Coupon applied',
      body:
        points > 0
          ? `Coupon ${coupon.code}: ${points} points were added to your balance.`
          : `Coupon ${coupon.code}: your discount will be taken off your next rental.`,
      variables: { code: coupon.code, kind: coupon.kind, value: coupon.value, points },
      dedupeKey: `coupon:${id}`,
    });
    return id;
  });
  const [usage] = await usagesOf(em, userId, { id: usageId, page: 1, page_size: 1 });
  if (!usage) throw new Error('the coupon usage just written is gone');
  return usage;
}

/** `promotions/my-coupons`: the coupons the user applied, newest first, with where each stands. */
export async function listMyCoupons(
  em: EntityManager,
  userId: string,
  input: MyCouponsInput,
): Promise<MyCouponsOutput> {
  const rows = await usagesOf(em, userId, input);
  return pageOf(rows, input, rows[0]?.total ?? 0);
}

interface UsageRow {
  id: string;
  code: string;
  description: string | null;
  kind: CouponUsageOutput['kind'];
  value: number;
  status: CouponUsageOutput['status'];
  points_awarded: number;
  discount_amount: string;
  currency: string;
  rental_id: string | null;
  valid_to: string;
  created_at: string;
  total: string;
}

async function usagesOf(
  em: EntityManager,
  userId: string,
  filter: { id?: string; status?: CouponUsageOutput['status']; page: number; page_size: number },
): Promise<(CouponUsageOutput & { total: number })[]> {
  const rows = await sqlRows<UsageRow>(
    em,
    `select *, count(*) over () as total from (
       select cu.id, c.code, c.description, c.kind, c.value, cu.points_awarded, cu.discount_amount, c.currency,
              cu.rental_id, c.valid_to, cu.created_at,
              case when c.kind = 'points' then 'credited'
                   when cu.rental_id is not null or cu.rental_order_id is not null then 'used'
                   when c.valid_to <= now() then 'expired'
                   else 'available' end as status
         from coupon_usage cu join coupon c on c.id = cu.coupon_id
        where cu.user_id = $1 and ($2::uuid is null or cu.id = $2)) u
      where $3::text is null or status = $3
      order by created_at desc, id desc
      limit $4 offset $5`,
    [userId, filter.id ?? null, filter.status ?? null, filter.page_size, offsetOf(filter)],
  );
  const platform = em.getPlatform();
  return rows.map((row) => ({
    id: row.id,
    code: row.code,
    description: row.description,
    kind: row.kind,
    value: Number(row.value),
    status: row.status,
    points_awarded: Number(row.points_awarded),
    discount: row.status === 'used' ? formatMoney(Number(row.discount_amount), row.currency) : null,
    rental_id: row.rental_id,
    valid_to: platform.parseDate(row.valid_to),
    applied_at: platform.parseDate(row.created_at),
    total: Number(row.total),
  }));
}

/** A usage of the coupon, counted on the coupon in the same statement. */
const TAKE_COUPON = prepared(
  (db, p: { id: string; couponId: number; userId: string; points: number; key: string | null }) =>
    db
      .with('counted', (w) =>
        w
          .updateTable('coupon')
          .set((eb) => ({ used_count: eb('used_count', '+', 1), updated_at: now() }))
          .where('id', '=', p.couponId),
      )
      .insertInto('coupon_usage')
      .values({
        id: p.id,
        coupon_id: p.couponId,
        user_id: p.userId,
        points_awarded: p.points,
        discount_amount: 0,
        idempotency_key: p.key,
        created_at: now(),
      }),
);
