import { RentalOrder, RentalOrderItem, SellerStaff, User } from '@powerbank/db';
import { bearer } from '../../testing/auth-helpers.ts';
import type { CrowdMember } from '../../testing/crowd.ts';
import type { TestApi } from '../../testing/test-app.ts';
import { funded, period } from './market.testing.ts';

/** A paid (confirmed) order of `product` for days 0–2 by a fresh funded customer, through REST. */
export async function aPaidOrder(api: TestApi, productId: string, wallet = 100_000) {
  const [customer] = await funded(api, 1, wallet);
  const p = period(0, 2);
  const res = await api.rest(
    'POST',
    '/api/market/checkout',
    {
      product_id: productId,
      start: p.start.toISOString(),
      end: p.end.toISOString(),
      payment_mode: 'wallet',
      idempotency_key: `checkout-${customer!.userId}`,
    },
    bearer(customer!.token),
  );
  if (res.status !== 200) throw new Error(`checkout failed: ${JSON.stringify(res.body)}`);
  return { customer: customer as CrowdMember, orderId: res.body.data.id as string };
}

/** The customer's QR token for a handover, through REST. */
export async function qrToken(api: TestApi, token: string, orderId: string, type: 'pickup' | 'return') {
  const res = await api.rest('POST', `/api/market/orders/${orderId}/handover-qr`, { type }, bearer(token));
  if (res.status !== 200) throw new Error(`handover-qr failed: ${JSON.stringify(res.body)}`);
  return res.body.data.token as string;
}

/** Time passes: the order's period moved to [end - days, end) (the lines' copies too). */
export async function movePeriod(api: TestApi, orderId: string, end: Date, days: number) {
  const em = api.deps.orm.em.fork();
  const startTs = new Date(end.getTime() - days * 86_400_000);
  await em.nativeUpdate(RentalOrder, { id: orderId }, { startTs, endTs: end });
  await em.nativeUpdate(RentalOrderItem, { order: orderId }, { startTs, endTs: end });
}

/** `userId` becomes staff of `sellerId`. */
export async function addStaff(api: TestApi, sellerId: string, userId: string) {
  const em = api.deps.orm.em.fork();
  em.create(SellerStaff, { seller: em.getReference(User, sellerId), user: em.getReference(User, userId) });
  await em.flush();
}
