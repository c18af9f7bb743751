import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Coupon, CouponUsage } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { keysetPage } from '../admin/admin-cursor.ts';
import { adminMutation } from '../admin-auth/admin-action.ts';
import { type AdminContext, flushNew } from '../admin-auth/admin-writes.ts';
import type {
  AdminCouponOutput,
  CouponUsagesInput,
  CouponUsagesOutput,
  CreateCouponInput,
  DeactivateCouponInput,
} from './coupons-admin.schemas.ts';

const describe = (c: Coupon): AdminCouponOutput => ({
  id: c.id,
  code: c.code,
  description: c.description ?? null,
  kind: c.kind,
  value: c.value,
  currency: c.currency,
  validFrom: c.validFrom,
  validTo: c.validTo,
  perUserLimit: c.perUserLimit,
  globalLimit: c.globalLimit ?? null,
  usedCount: c.usedCount,
  isActive: c.isActive,
});

async function findCoupon(em: EntityManager, id: number, lock = false): Promise<Coupon> {
  const coupon = await em.findOne(Coupon, { id }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!coupon) throw new DomainError('NOT_FOUND', `no coupon ${id}`);
  return coupon;
}

/** Creates a coupon with its validity window and limits (per user; across users, or none). */
export function createCoupon(ctx: AdminContext, input: CreateCouponInput): Promise<AdminCouponOutput> {
  return adminMutation(ctx, 'coupon.create', async (tx) => {
    const coupon = tx.create(Coupon, { ...input, usedCount: 0, isActive: true });
    await flushNew(tx, `coupon ${input.code} already exists`);
    const after = describe(coupon);
    return { result: after, targetType: 'coupon', targetId: String(coupon.id), after };
  });
}

/** Stops a coupon from being redeemed; redemptions made stand. */
export function deactivateCoupon(
  ctx: AdminContext,
  input: DeactivateCouponInput,
): Promise<AdminCouponOutput> {
  return adminMutation(ctx, 'coupon.deactivate', async (tx) => {
    const coupon = await findCoupon(tx, input.id, true);
    if (!coupon.isActive) throw new DomainError('BUSINESS_RULE', `coupon ${input.id} is already inactive`);
    coupon.isActive = false;
    await tx.flush();
    return {
      result: describe(coupon),
      targetType: 'coupon',
      targetId: String(input.id),
      before: { isActive: true },
      after: { isActive: false },
      reason: input.reason,
    };
  });
}

/** Who redeemed a coupon, newest first (keyset pages). */
export async function couponUsages(ctx: AdminContext, input: CouponUsagesInput): Promise<CouponUsagesOutput> {
  await findCoupon(ctx.em, input.id);
  const { rows, nextCursor } = await keysetPage(
    ctx.em,
    CouponUsage,
    { coupon: input.id },
    input,
    'createdAt',
  );
  return {
    results: rows.map((u) => ({
      id: u.id,
      userId: u.user.id,
      pointsAwarded: u.pointsAwarded,
      discountAmount: Number(u.discountAmount),
      rentalId: u.rental?.id ?? null,
      usedAt: u.createdAt,
    })),
    nextCursor,
  };
}
