import { randomUUID } from 'node:crypto';
import { createApiClient } from '@powerbank/api-client';
import { InventoryItem, Wallet, WalletTransaction } from '@powerbank/db';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  signUpAdmin,
  TINY_PNG,
  testUploadDir,
  upload,
  useTestApi,
} from '../../testing/auth-helpers.ts';
import type { CrowdMember } from '../../testing/crowd.ts';
import { movePeriod } from './handover.testing.ts';
import { aCategoryTree, aSeller, funded, period } from './market.testing.ts';

const getApi = useTestApi({ env: { UPLOAD_DIR: testUploadDir() } });
const client = (token?: string) => createApiClient({ url: 'http://api.test', fetch: getApi().fetch, token });
const HOUR = 3_600_000;
const WALLET = 100_000;
const PRICE = 6000; // per day
const DEPOSIT = 20_000;

let tree: Awaited<ReturnType<typeof aCategoryTree>>;
let seller: CrowdMember;
beforeAll(async () => {
  tree = await aCategoryTree(getApi());
  seller = await aSeller(getApi());
});

async function wallet(userId: string) {
  const w = await getApi().deps.orm.em.fork().findOneOrFail(Wallet, { user: userId });
  return { balance: Number(w.balance), held: Number(w.held) };
}

/** The seller lists a drone (REST + typed client) with one item; answers its id, item and title. */
async function listDrone() {
  const title = `Compact drone ${randomUUID().slice(0, 8)}`;
  const s = client(seller.token);
  const product = await s.market.seller.createProduct.mutate({
    category_id: tree.drones.id,
    title,
    description: 'Folding drone with 4K camera',
    base_price: PRICE,
    deposit: DEPOSIT,
    pricing_unit: 'day',
  });
  const item = await getApi().rest(
    'POST',
    '/api/market/seller/items',
    { product_id: product.id, sku: `DR-${randomUUID()}` },
    bearer(seller.token),
  );
  expect(item.status).toBe(200);
  return { productId: product.id, itemId: item.body.data.id as string, title };
}

/** Finds it, quotes two days, checks out paying with the wallet (deposit held), picks it up by QR. */
async function rentAndPickUp(
  customer: CrowdMember,
  drone: { productId: string; title: string },
  funds = WALLET,
) {
  const api = getApi();
  const c = client(customer.token);
  const rent = period(0, 2);
  const found = await api.rest(
    'GET',
    `/api/market/products?q=${encodeURIComponent(drone.title.split(' ').pop()!)}&category=${tree.root.slug}&available_from=${rent.start.toISOString()}&available_to=${rent.end.toISOString()}`,
  );
  expect(found.status).toBe(200);
  expect(found.body.data.results.map((r: { id: string }) => r.id)).toEqual([drone.productId]);
  const quote = await c.market.catalogue.quote.query({
    product_id: drone.productId,
    start: rent.start,
    end: rent.end,
  });
  expect(quote).toMatchObject({ units: 2, rent: 2 * PRICE, deposit: DEPOSIT, available: true });
  const order = await c.market.orders.checkout.mutate({
    product_id: drone.productId,
    start: rent.start,
    end: rent.end,
    payment_mode: 'wallet',
    idempotency_key: `e2e-${randomUUID()}`,
  });
  expect(order).toMatchObject({ status: 'confirmed', held_amount: DEPOSIT, total_amount: quote.charge });
  expect(await wallet(customer.userId)).toEqual({ balance: funds - quote.charge, held: DEPOSIT });

  const qr = await api.rest(
    'POST',
    `/api/market/orders/${order.id}/handover-qr`,
    { type: 'pickup' },
    bearer(customer.token),
  );
  expect(qr.status).toBe(200);
  const picked = await api.rest(
    'POST',
    `/api/market/orders/${order.id}/handover`,
    { token: qr.body.data.token },
    bearer(seller.token),
  );
  expect(picked.status, JSON.stringify(picked.body)).toBe(200);
  expect(picked.body.data.order.status).toBe('active');
  return { orderId: order.id, charge: quote.charge };
}

/** The period ended `lateMs` ago (time passes), and the seller takes it back by the return QR. */
async function returnLate(
  customer: CrowdMember,
  orderId: string,
  itemId: string,
  lateMs: number,
  damage: number,
) {
  const api = getApi();
  await movePeriod(api, orderId, new Date(Date.now() - lateMs), 2);
  const photo = (await upload(api, seller.token, { bytes: TINY_PNG, type: 'image/png' }, 'other')).body.data;
  const { token } = await client(customer.token).market.handover.issue.mutate({
    id: orderId,
    type: 'return',
  });
  return client(seller.token).market.handover.verify.mutate({
    id: orderId,
    token,
    items: [
      {
        item_id: itemId,
        condition: 'damaged',
        damage_amount: damage,
        reason: 'cracked propeller guard',
        photo_ids: [photo.id],
      },
    ],
  });
}

describe('marketplace end to end: find, order two days, pay with a deposit hold, pick up by QR, return late and damaged', () => {
  it('the late fee and the damage are captured to the unit, the rest of the hold released, every notice in the inbox', async () => {
    const api = getApi();
    const drone = await listDrone();
    const [customer] = await funded(api, 1, WALLET);
    const { orderId, charge } = await rentAndPickUp(customer!, drone);

    // Back 26 hours late: past the 30-minute grace, two started days at 60.00 = 120.00.
    const returned = await returnLate(customer!, orderId, drone.itemId, 26 * HOUR, 7000);
    expect(returned.order.status).toBe('returned');
    expect(returned.settlement).toMatchObject({
      late_fee: 2 * PRICE,
      damage_charge: 7000,
      held_amount: DEPOSIT,
      items: [{ item_id: drone.itemId, condition: 'damaged', damage_amount: 7000 }],
    });
    const item = await api.deps.orm.em.fork().findOneOrFail(InventoryItem, { id: drone.itemId });
    expect(item.status).toBe('maintenance');

    // Both sides see the same settlement (REST and the typed client); no one else does.
    const seen = await api.rest(
      'GET',
      `/api/market/orders/${orderId}/settlement`,
      undefined,
      bearer(seller.token),
    );
    const mine = await client(customer!.token).market.handover.settlement.query({ id: orderId });
    expect(seen.body.data.settlement).toEqual(JSON.parse(JSON.stringify(mine.settlement)));
    const [stranger] = await funded(api, 1);
    expect(
      (await api.rest('GET', `/api/market/orders/${orderId}/settlement`, undefined, bearer(stranger!.token)))
        .status,
    ).toBe(404);
    expect((await client().market.handover.publicKey.query({})).alg).toBe('EdDSA');
    const accepted = await api.rest(
      'POST',
      `/api/market/orders/${orderId}/accept-charges`,
      {},
      bearer(customer!.token),
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    // Charges 12,000 + 7,000 = 19,000 of the 20,000 hold: captured; 1,000 released; nothing due.
    expect(accepted.body.data.order.status).toBe('completed');
    expect(accepted.body.data.settlement).toMatchObject({
      captured_amount: 19_000,
      due_amount: 0,
      held_amount: 0,
    });
    expect(await wallet(customer!.userId)).toEqual({ balance: WALLET - charge - 19_000, held: 0 });
    const fine = await api.deps.orm.em
      .fork()
      .findOneOrFail(WalletTransaction, { user: customer!.userId, type: 'fine' });
    expect(Number(fine.amount)).toBe(-19_000);

    const inbox = await client(customer!.token).notifications.list.query({});
    const types = inbox.results.map((n) => n.type).sort();
    expect(types).toEqual(
      [
        'market_deposit_settled',
        'market_order_completed',
        'market_order_picked_up',
        'market_order_returned',
      ].sort(),
    );
    const settled = inbox.results.find((n) => n.type === 'market_deposit_settled');
    expect(settled?.payload).toMatchObject({ order_id: orderId, captured: 19_000, released: 1000, due: 0 });
  });

  it('a damage charge beyond the hold: the hold is captured, the rest is a due, the balance never negative', async () => {
    const api = getApi();
    const drone = await listDrone();
    // Just enough for the rent and the deposit.
    const [customer] = await funded(api, 1, 2 * PRICE + DEPOSIT);
    const { orderId } = await rentAndPickUp(customer!, drone, 2 * PRICE + DEPOSIT);
    expect(await wallet(customer!.userId)).toEqual({ balance: DEPOSIT, held: DEPOSIT });
    // On time (within the grace): no late fee; damage 35,000 > the 20,000 hold.
    await returnLate(customer!, orderId, drone.itemId, 10 * 60_000, 35_000);
    const done = await client(customer!.token).market.handover.acceptCharges.mutate({ id: orderId });
    expect(done.order.status).toBe('completed');
    expect(done.settlement).toMatchObject({ late_fee: 0, captured_amount: DEPOSIT, due_amount: 15_000 });
    expect(await wallet(customer!.userId)).toEqual({ balance: 0, held: 0 });
  });

  it('a disputed damage charge goes to the admin queue; the admin decision settles the deposit', async () => {
    const api = getApi();
    const drone = await listDrone();
    const [customer] = await funded(api, 1, WALLET);
    const { orderId, charge } = await rentAndPickUp(customer!, drone);
    await returnLate(customer!, orderId, drone.itemId, 0, 9000);
    const c = client(customer!.token);
    const disputed = await c.market.handover.dispute.mutate({
      id: orderId,
      reason: 'the guard was cracked when I got it',
    });
    expect(disputed.order.status).toBe('disputed');
    // Not the customer's to decide, nor to accept any more.
    expect(
      (await api.rest('POST', `/api/market/orders/${orderId}/accept-charges`, {}, bearer(customer!.token)))
        .status,
    ).toBe(422);

    const admin = await signUpAdmin(api, 'operations');
    const queue = await api.rest('GET', '/api/market/admin/disputes', undefined, bearer(admin.token));
    expect(queue.status).toBe(200);
    expect(queue.body.data.results.map((r: { order: { id: string } }) => r.order.id)).toContain(orderId);
    const tooMuch = await api.rest(
      'POST',
      `/api/market/admin/disputes/${orderId}/resolve`,
      { damage_charge: 9001, note: 'more' },
      bearer(admin.token),
    );
    expect(tooMuch.status).toBe(400);
    const resolved = await client(admin.token).market.handover.resolveDispute.mutate({
      id: orderId,
      damage_charge: 3000,
      note: 'shared fault: half the guard',
    });
    expect(resolved.order.status).toBe('completed');
    expect(resolved.settlement).toMatchObject({ damage_charge: 3000, captured_amount: 3000, due_amount: 0 });
    expect(await wallet(customer!.userId)).toEqual({ balance: WALLET - charge - 3000, held: 0 });
    expect((await c.notifications.list.query({})).results.map((n) => n.type)).toContain(
      'market_dispute_opened',
    );
  });
});
