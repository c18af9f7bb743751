import { createApiClient } from '@powerbank/api-client';
import { HandoverQr, InventoryItem, Notification, RentalOrder, UserAuditLog } from '@powerbank/db';
import { checkHandoverToken, signHandoverToken } from '@powerbank/market';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, setAppConfig, useTestApi } from '../../testing/auth-helpers.ts';
import type { CrowdMember } from '../../testing/crowd.ts';
import { keysFor } from './handover.service.ts';
import { addStaff, aPaidOrder, qrToken } from './handover.testing.ts';
import { aCategoryTree, aProduct, aSeller, funded } from './market.testing.ts';

const getApi = useTestApi();
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });

let seller: CrowdMember;
let tree: Awaited<ReturnType<typeof aCategoryTree>>;
beforeAll(async () => {
  tree = await aCategoryTree(getApi());
  seller = await aSeller(getApi());
});

async function anOrder() {
  const product = await aProduct(getApi(), seller.userId, tree.cameras);
  return { product, ...(await aPaidOrder(getApi(), product.id)) };
}
const scan = (token: string, orderId: string, qr: string) =>
  getApi().rest('POST', `/api/market/orders/${orderId}/handover`, { token: qr }, bearer(token));
const statusOf = async (id: string) =>
  (await getApi().deps.orm.em.fork().findOneOrFail(RentalOrder, { id })).status;
const refusals = (orderId: string, reason: string) =>
  getApi()
    .deps.orm.em.fork()
    .count(UserAuditLog, { eventType: 'handover.refused', metadata: { orderId, reason } });

describe('QR handover', () => {
  it('the public key verifies an issued token offline; the QR comes as SVG and PNG', async () => {
    const { customer, orderId } = await anOrder();
    const qr = await client(customer.token).market.handover.issue.mutate({ id: orderId, type: 'pickup' });
    expect(qr.svg).toContain('<svg');
    expect(qr.png_data_url).toMatch(/^data:image\/png;base64,/);
    const key = await getApi().rest('GET', '/api/market/handover/public-key');
    expect(key.status).toBe(200);
    const { createPublicKey } = await import('node:crypto');
    const publicKey = createPublicKey(key.body.data.public_key_pem);
    const check = checkHandoverToken(publicKey, qr.token, Date.now());
    expect(check).toMatchObject({ ok: true, claims: { o: orderId, t: 'pickup', k: key.body.data.kid } });
  });

  it('pickup by the seller moves the order; a second scan is refused and logged, state unchanged', async () => {
    const { customer, orderId, product } = await anOrder();
    const token = await qrToken(getApi(), customer.token, orderId, 'pickup');
    const first = await client(seller.token).market.handover.verify.mutate({ id: orderId, token });
    expect(first.order.status).toBe('active');
    const item = await getApi().deps.orm.em.fork().findOneOrFail(InventoryItem, { id: product.itemIds[0]! });
    expect(item.status).toBe('rented');

    const again = await scan(seller.token, orderId, token);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', details: { reason: 'replayed' } });
    expect(await statusOf(orderId)).toBe('active');
    expect(await refusals(orderId, 'replayed')).toBe(1);
  });

  it("a pickup's answer is the order as read after the commit; the token, notice and log rows are written once", async () => {
    const api = getApi();
    const { customer, orderId, product } = await anOrder();
    const [staff] = await funded(api, 1);
    await addStaff(api, seller.userId, staff!.userId);
    const token = await qrToken(api, customer.token, orderId, 'pickup');
    const before = Date.now();
    const answer = await client(staff!.token).market.handover.verify.mutate({ id: orderId, token });
    const read = await client(customer.token).market.handover.settlement.query({ id: orderId });
    expect(answer).toEqual(read);
    expect(answer.order).toMatchObject({ status: 'active', item_ids: product.itemIds, reserved_until: null });
    expect(answer.order.invoice).toMatchObject({ status: 'paid' });

    const em = api.deps.orm.em.fork();
    const qr = await em.findOneOrFail(HandoverQr, {
      order: orderId,
      type: 'pickup',
      verifiedAt: { $ne: null },
    });
    expect(qr.verifiedBy?.id).toBe(staff!.userId);
    expect(qr.verifiedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const notices = await em.find(Notification, { user: customer.userId, type: 'market_order_picked_up' });
    expect(notices.map((n) => [n.payload, n.dedupeKey])).toEqual([
      [{ order_id: orderId }, `market_order_picked_up:${orderId}`],
    ]);
    const logs = await em.find(
      UserAuditLog,
      { metadata: { orderId }, eventType: { $in: ['order.active', 'handover.verified'] } },
      { orderBy: { eventType: 'asc' } },
    );
    expect(logs.map((l) => [l.eventType, l.user?.id, l.metadata])).toEqual([
      ['handover.verified', staff!.userId, { orderId, qrId: qr.id, type: 'pickup' }],
      ['order.active', staff!.userId, { orderId, from: 'confirmed', event: 'PICKED_UP', refunded: 0 }],
    ]);
  });

  it("a tampered signature, another order's token, an expired token, a customer scanning: refused and logged", async () => {
    const api = getApi();
    const a = await anOrder();
    const b = await anOrder();
    const token = await qrToken(api, a.customer.token, a.orderId, 'pickup');

    const [v, payload, sig] = token.split('.') as [string, string, string];
    const tampered = `${v}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const t = await scan(seller.token, a.orderId, tampered);
    expect([t.status, t.body.error.details.reason]).toEqual([400, 'tampered']);
    // A forged payload (the other order) under the real signature: tampered too.
    const forgedPayload = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace(a.orderId, b.orderId),
    ).toString('base64url');
    const f = await scan(seller.token, b.orderId, `${v}.${forgedPayload}.${sig}`);
    expect([f.status, f.body.error.details.reason]).toEqual([400, 'tampered']);

    const other = await scan(seller.token, b.orderId, token);
    expect([other.status, other.body.error.details.reason]).toEqual([422, 'wrong_order']);

    await setAppConfig(api, { market_qr_validity_minutes: 0 });
    const stale = await qrToken(api, a.customer.token, a.orderId, 'pickup');
    await setAppConfig(api, { market_qr_validity_minutes: 10 });
    const e = await scan(seller.token, a.orderId, stale);
    expect([e.status, e.body.error.details.reason]).toEqual([422, 'expired']);
    const keys = keysFor(api.deps.env.APP_SECRET);
    const claims = checkHandoverToken(keys.publicKey, token, Date.now());
    if (!claims.ok) throw new Error('the real token must verify');

    const own = await scan(a.customer.token, a.orderId, token);
    expect([own.status, own.body.error.details.reason]).toEqual([403, 'not_staff']);
    const [stranger] = await funded(api, 1);
    const s = await scan(stranger!.token, a.orderId, token);
    expect([s.status, s.body.error.details.reason]).toEqual([403, 'not_staff']);

    expect(await statusOf(a.orderId)).toBe('confirmed');
    expect(await statusOf(b.orderId)).toBe('confirmed');
    for (const reason of ['tampered', 'expired', 'not_staff'])
      expect(await refusals(a.orderId, reason)).toBeGreaterThan(0);
    expect(await refusals(b.orderId, 'wrong_order')).toBe(1);
    // Re-signed with a later expiry for the same row (only the server's key could): the row keeps
    // the digest of the token it issued, so this one is refused.
    const resigned = signHandoverToken(keys, {
      q: claims.claims.q,
      o: a.orderId,
      t: 'pickup',
      e: claims.claims.e + 60,
    });
    const r = await scan(seller.token, a.orderId, resigned);
    expect([r.status, r.body.error.details.reason]).toEqual([400, 'tampered']);
    // The real token still works after all that.
    expect((await scan(seller.token, a.orderId, token)).status).toBe(200);
  });

  it('a pickup token of an order cancelled since: refused as wrong_state and logged, the token left unused', async () => {
    const api = getApi();
    const { customer, orderId } = await anOrder();
    const token = await qrToken(api, customer.token, orderId, 'pickup');
    await client(customer.token).market.orders.cancel.mutate({ id: orderId });
    const res = await scan(seller.token, orderId, token);
    expect([res.status, res.body.error.details.reason]).toEqual([422, 'wrong_state']);
    expect(await statusOf(orderId)).toBe('cancelled');
    expect(await refusals(orderId, 'wrong_state')).toBe(1);
    const qr = await api.deps.orm.em.fork().findOneOrFail(HandoverQr, { order: orderId, type: 'pickup' });
    expect(qr.verifiedAt ?? null).toBeNull();
  });

  it('the seller and a staff member scanning the same token at once: one handover', async () => {
    const api = getApi();
    const { customer, orderId } = await anOrder();
    const [staff] = await funded(api, 1);
    await addStaff(api, seller.userId, staff!.userId);
    const token = await qrToken(api, customer.token, orderId, 'pickup');
    const scanners = Array.from({ length: 10 }, (_, i) => (i % 2 ? staff!.token : seller.token));
    const results = await Promise.all(scanners.map((t) => scan(t, orderId, token)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    expect(await statusOf(orderId)).toBe('active');
    const em = api.deps.orm.em.fork();
    expect(await em.count(UserAuditLog, { eventType: 'order.active', metadata: { orderId } })).toBe(1);
    expect(await em.count(UserAuditLog, { eventType: 'handover.verified', metadata: { orderId } })).toBe(1);
  });

  it('many customers picking up at once, each scanned by the seller: every one handed over once', async () => {
    const api = getApi();
    const orders = await Promise.all(Array.from({ length: 8 }, () => anOrder()));
    const tokens = await Promise.all(orders.map((o) => qrToken(api, o.customer.token, o.orderId, 'pickup')));
    const results = await Promise.all(
      orders.flatMap((o, i) => [
        scan(seller.token, o.orderId, tokens[i]!),
        scan(seller.token, o.orderId, tokens[i]!),
      ]),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(orders.length);
    for (const o of orders) expect(await statusOf(o.orderId)).toBe('active');
  });
});
