import { type EntityData, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  HandoverQr,
  type Invoice,
  MediaUpload,
  RentalOrder,
  RentalOrderItem,
  runPrepared,
} from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import type { OrderEvent } from '@powerbank/machines';
import {
  checkHandoverToken,
  type HandoverKeys,
  handoverKeys,
  lockCustomerOrder,
  marketEvent,
  readMarketConfig,
  signHandoverToken,
  tokenDigest,
  transitionOrder,
} from '@powerbank/market';
import QRCode from 'qrcode';
import { uuidv7 } from 'uuidv7';
import type { HandoverOutput, InspectionItem, VerifyHandoverInput } from './handover.schemas.ts';
import { pickUp } from './handover-pickup.ts';
import {
  CLAIM_QR,
  type ClaimParams,
  IS_STAFF,
  LOCK_ORDER,
  MARK_SCHEDULE_DONE,
  ORDER_LINES,
} from './handover-queries.ts';
import { claimOf, HandoverRefused, qrRefusal } from './handover-refusal.ts';
import { settlementOf } from './handover-settlement.ts';
import { onOrderCompleted } from './order-completion.ts';
import { orderOutput, toOutput } from './orders.service.ts';

const keysBySecret = new Map<string, HandoverKeys>();
/** The signing keys of this secret, derived once per process. */
export function keysFor(appSecret: string): HandoverKeys {
  let keys = keysBySecret.get(appSecret);
  if (!keys) {
    keys = handoverKeys(appSecret);
    keysBySecret.set(appSecret, keys);
  }
  return keys;
}

/** `market.handover.publicKey`: what a scanner app verifies tokens with offline. */
export function publicKey(keys: HandoverKeys) {
  const jwk = keys.publicKey.export({ format: 'jwk' });
  return {
    alg: 'EdDSA' as const,
    crv: 'Ed25519' as const,
    kid: keys.kid,
    public_key_pem: String(keys.publicKey.export({ format: 'pem', type: 'spki' })),
    jwk: { kty: 'OKP' as const, crv: 'Ed25519' as const, x: jwk.x ?? '', kid: keys.kid },
  };
}

/** Which status an order must be in for each handover. */
const READY_FOR = { pickup: 'confirmed', return: 'active' } as const;

/**
 * `market.handover.issue`: the customer's QR code for the pickup (order confirmed) or the return
 * (order active): a new signed token each time, valid `market_qr_validity_minutes`; the database
 * keeps its digest, bound to the order and type.
 */
export async function issueQr(
  em: EntityManager,
  keys: HandoverKeys,
  customerId: string,
  input: { id: string; type: 'pickup' | 'return' },
) {
  const order = await em.findOne(RentalOrder, { id: input.id, customer: customerId });
  if (!order) throw new DomainError('NOT_FOUND', 'no such order');
  if (order.status !== READY_FOR[input.type]) {
    throw new DomainError('BUSINESS_RULE', `an order ${order.status} has no ${input.type} handover`);
  }
  const config = await readMarketConfig(em);
  const expiresS = Math.floor(Date.now() / 1000) + config.market_qr_validity_minutes * 60;
  const id = uuidv7();
  const token = signHandoverToken(keys, { q: id, o: order.id, t: input.type, e: expiresS });
  em.create(HandoverQr, {
    id,
    order,
    type: input.type,
    qrToken: tokenDigest(token),
    expiresAt: new Date(expiresS * 1000),
  });
  await em.flush();
  const [svg, png] = await Promise.all([
    QRCode.toString(token, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
    QRCode.toDataURL(token, { errorCorrectionLevel: 'M', margin: 2 }),
  ]);
  return {
    qr_id: id,
    order_id: order.id,
    type: input.type,
    token,
    expires_at: new Date(expiresS * 1000),
    svg,
    png_data_url: png,
  };
}

/**
 * `market.handover.verify`: the seller's staff scanned the customer's token. Checked offline first
 * (signature, expiry, the order it names), then in one transaction under the order's row lock:
 * the scanner is the seller's staff, the token is claimed (single use), the order moves through
 * the machine (PICKED_UP; or RETURNED with the inspection, then SETTLE when nothing is charged for
 * damage), the appointment gets its `actual_at`, and the scan is logged. Any refusal leaves the
 * order as it was and is logged as `handover.refused` with its reason.
 */
export async function verifyHandover(
  em: EntityManager,
  keys: HandoverKeys,
  scannerId: string,
  input: VerifyHandoverInput,
): Promise<HandoverOutput> {
  const check = checkHandoverToken(keys.publicKey, input.token, Date.now());
  const claims = check.ok ? check.claims : null;
  try {
    if (!check.ok) throw new HandoverRefused(check.reason);
    if (check.claims.o !== input.id) throw new HandoverRefused('wrong_order');
    const claim = claimOf(check.claims, input.token, scannerId);
    return await em
      .fork()
      .transactional((tem) =>
        claim.type === 'pickup' ? pickUp(tem, claim) : handBack(tem, claim, input.items),
      );
  } catch (error) {
    if (error instanceof HandoverRefused) {
      const log = em.fork();
      marketEvent(
        log,
        'handover.refused',
        { userId: scannerId },
        {
          orderId: input.id,
          reason: error.reason,
          qrId: claims?.q ?? null,
          type: claims?.t ?? null,
        },
      );
      await log.flush();
    }
    throw error;
  }
}

/**
 * The return scan's transaction (the pickup's is `pickUp`, on plain records). The order and its
 * lines come from prepared statements mapped onto entities (the inspection and the machine's
 * return effects — the hold's capture or release, the late fee — change them through the unit of
 * work), and the answer is built from them and the invoice the transition locked — nothing is
 * read again after the commit.
 */
async function handBack(
  tem: EntityManager,
  claim: ClaimParams,
  items: InspectionItem[] | undefined,
): Promise<HandoverOutput> {
  const scannerId = claim.by;
  const [orderRow] = await runPrepared(tem, LOCK_ORDER, { id: claim.orderId });
  if (!orderRow) throw new HandoverRefused('wrong_order');
  const order = tem.map(RentalOrder, orderRow as EntityData<RentalOrder>);
  if (order.seller.id !== scannerId) {
    const [staff] = await runPrepared(tem, IS_STAFF, { sellerId: order.seller.id, userId: scannerId });
    if (!staff) throw new HandoverRefused('not_staff');
  }
  const [claimed] = await runPrepared(tem, CLAIM_QR, claim);
  // The row matched when read: the database's clock passed its expiry since.
  if (!claimed) throw new HandoverRefused((await qrRefusal(tem, claim)) ?? 'expired');
  const lines = (await runPrepared(tem, ORDER_LINES, { orderId: order.id })).map((row) =>
    tem.map(RentalOrderItem, row as EntityData<RentalOrderItem>),
  );
  const damage = await recordInspection(tem, lines, scannerId, items);
  // Nothing charged for damage: settle at once (a late fee alone is not disputable: it follows
  // from the times). A damage charge waits for the customer to accept or dispute it.
  const events: OrderEvent[] =
    damage === 0 ? [{ type: 'RETURNED' }, { type: 'SETTLE' }] : [{ type: 'RETURNED' }];
  let invoice: Invoice | null = null;
  for (const event of events) {
    const done = await transitionOrder(tem, order, event, {
      actor: scannerId,
      onCompleted: onOrderCompleted,
    });
    if (!done) throw new HandoverRefused('wrong_state');
    invoice = done.invoice;
  }
  await runPrepared(tem, MARK_SCHEDULE_DONE, { orderId: order.id, type: claim.type });
  marketEvent(
    tem,
    'handover.verified',
    { userId: scannerId },
    { orderId: order.id, qrId: claim.id, type: claim.type },
  );
  // No flush of its own: `transactional` flushes the log row on commit (one change-set pass less).
  return { order: toOutput(order, lines, invoice), settlement: settlementOf(order, lines) };
}

/**
 * The return inspection on the order's lines: every item exactly once, a damage charge only with
 * a condition other than ok and a reason, photos from the scanner's own uploads. Answers the
 * damage total.
 */
async function recordInspection(
  tem: EntityManager,
  lines: RentalOrderItem[],
  scannerId: string,
  items: InspectionItem[] | undefined,
): Promise<number> {
  const byItem = new Map(lines.flatMap((l) => (l.inventoryItem ? [[l.inventoryItem.id, l] as const] : [])));
  const given = items ?? [];
  const seen = new Set(given.map((i) => i.item_id));
  if (
    given.length !== byItem.size ||
    seen.size !== given.length ||
    given.some((i) => !byItem.has(i.item_id))
  ) {
    throw new DomainError('VALIDATION_FAILED', 'a return lists every item of the order exactly once', {
      item_ids: [...byItem.keys()],
    });
  }
  const photos = [...new Set(given.flatMap((i) => i.photo_ids))];
  if (
    photos.length > 0 &&
    (await tem.count(MediaUpload, { id: { $in: photos }, user: scannerId })) !== photos.length
  ) {
    throw new DomainError('VALIDATION_FAILED', 'photo_ids must be your own uploads');
  }
  let total = 0;
  for (const item of given) {
    if (item.damage_amount > 0 && (item.condition === 'ok' || !item.reason)) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'a damage charge needs a damaged or missing item and a reason',
        {
          item_id: item.item_id,
        },
      );
    }
    const line = byItem.get(item.item_id) as RentalOrderItem;
    line.returnCondition = item.condition;
    line.damageAmount = item.damage_amount;
    line.damageReason = item.reason ?? null;
    line.damagePhotos = item.photo_ids;
    total += item.damage_amount;
  }
  await tem.flush();
  return total;
}

/** The order and its return settlement, as customer or seller sees them. */
export async function handoverOutput(
  em: EntityManager,
  id: string,
  viewerId?: string,
): Promise<HandoverOutput> {
  const order = await em.findOneOrFail(RentalOrder, { id });
  const lines = await em.find(RentalOrderItem, { order: id }, { orderBy: { createdAt: 'asc' } });
  return {
    order: await orderOutput(em, viewerId ?? order.customer.id, id),
    settlement: settlementOf(order, lines),
  };
}

/** `market.orders.settlement`: the order's return settlement (customer or seller). */
export async function orderSettlement(
  em: EntityManager,
  userId: string,
  id: string,
): Promise<HandoverOutput> {
  const order = await em.findOne(RentalOrder, { id, $or: [{ customer: userId }, { seller: userId }] });
  if (!order) throw new DomainError('NOT_FOUND', 'no such order');
  return handoverOutput(em, id, userId);
}

/** `market.orders.acceptCharges`: the customer accepts the return's damage charge; the deposit is settled. */
export async function acceptCharges(
  em: EntityManager,
  customerId: string,
  id: string,
): Promise<HandoverOutput> {
  await em.fork().transactional(async (tem) => {
    const order = await lockCustomerOrder(tem, customerId, id);
    const done = await transitionOrder(
      tem,
      order,
      { type: 'SETTLE' },
      { actor: customerId, onCompleted: onOrderCompleted },
    );
    if (!done) throw new DomainError('BUSINESS_RULE', `an order ${order.status} has no charges to accept`);
  });
  return handoverOutput(em.fork(), id);
}

/** `market.orders.dispute`: the customer disputes the return's damage charge; it goes to the admin queue. */
export async function disputeCharges(
  em: EntityManager,
  customerId: string,
  input: { id: string; reason: string },
): Promise<HandoverOutput> {
  await em.fork().transactional(async (tem) => {
    const order = await lockCustomerOrder(tem, customerId, input.id);
    if (order.status !== 'returned' || Number(order.damageCharge) === 0) {
      throw new DomainError('BUSINESS_RULE', 'only a damage charge of a returned order can be disputed');
    }
    order.disputeReason = input.reason;
    const done = await transitionOrder(tem, order, { type: 'DISPUTE' }, { actor: customerId });
    if (!done) throw new DomainError('BUSINESS_RULE', `an order ${order.status} cannot be disputed`);
  });
  return handoverOutput(em.fork(), input.id);
}

/** The admin queue: disputed orders, oldest first. */
export async function disputeQueue(em: EntityManager) {
  const orders = await em.find(
    RentalOrder,
    { status: 'disputed' },
    { orderBy: { updatedAt: 'asc' }, limit: 200 },
  );
  return { results: await Promise.all(orders.map((o) => handoverOutput(em, o.id))) };
}

/**
 * An admin decides a dispute: the damage charge becomes `damage_charge` (at most what was
 * charged), and the deposit is settled with it (RESOLVE → completed).
 */
export async function resolveDispute(
  tem: EntityManager,
  adminId: string,
  input: { id: string; damage_charge: number; note: string },
) {
  const order = await tem.findOne(RentalOrder, { id: input.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!order) throw new DomainError('NOT_FOUND', 'no such order');
  if (order.status !== 'disputed')
    throw new DomainError('BUSINESS_RULE', `an order ${order.status} is not disputed`);
  const before = { damage_charge: Number(order.damageCharge), status: order.status };
  if (input.damage_charge > before.damage_charge) {
    throw new DomainError('VALIDATION_FAILED', 'the decision cannot charge more than the seller did', before);
  }
  order.damageCharge = input.damage_charge;
  await transitionOrder(tem, order, { type: 'RESOLVE' }, { actor: adminId, onCompleted: onOrderCompleted });
  const after = { damage_charge: input.damage_charge, status: order.status, note: input.note };
  return { before, after };
}
