import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  CouponUsage,
  InventoryItem,
  Invoice,
  now,
  type Product,
  prepared,
  queryBuilder,
  RentalOrder,
  RentalOrderItem,
  runPrepared,
  Transaction,
} from '@powerbank/db';
import {
  cancellationRefund,
  DomainError,
  type ExplicitSplit,
  lateReturnFee,
  type PaymentMode,
  settleAgainstHold,
} from '@powerbank/domain';
import { captureHold, holdWallet, ledger, payFromBalances, releaseHold } from '@powerbank/ledger';
import { type OrderEffect, type OrderEvent, orderStep } from '@powerbank/machines';
import { cancellationPolicy, readMarketConfig } from './market-config.ts';
import { marketEvent } from './market-events.ts';
import { orderNotice } from './order-notices.ts';

export interface OrderPayment {
  mode: PaymentMode;
  split?: ExplicitSplit;
}

interface EffectContext {
  em: EntityManager;
  order: RentalOrder;
  invoice: Invoice;
  payment?: OrderPayment;
  /** What the event gave back, for the answer and the event log. */
  refunded: number;
}

const ref = (order: RentalOrder) => ({ type: 'rental_order', id: order.id });
/** Keys derived from the order: each effect happens once per order, whatever retries. */
const key = (order: RentalOrder, what: string) => `order:${order.id}:${what}`;

/** Each effect the order machine names, carried out in the transition's transaction. */
const EFFECTS: Record<OrderEffect, (c: EffectContext) => Promise<void>> = {
  // Done by the checkout that creates the order (its lines and invoice are the reservation).
  blockItems: async () => {},
  issueInvoice: async () => {},

  chargeInvoice: async (c) => {
    const { em, order, invoice } = c;
    const amount = Number(invoice.amountDue) - Number(invoice.amountPaid);
    if (amount > 0) {
      if (!c.payment) throw new DomainError('VALIDATION_FAILED', 'a payment_mode is needed to pay');
      const paid = await payFromBalances(em, {
        userId: order.customer.id,
        amount,
        type: 'order',
        mode: c.payment.mode,
        split: c.payment.split,
        reference: ref(order),
        idempotencyKey: key(order, 'pay'),
        description: 'Marketplace rental',
        atomicWithCaller: true,
      });
      await em.nativeUpdate(
        Transaction,
        { id: paid.transactionId },
        { rentalOrder: order.id, invoice: invoice.id },
      );
    }
    invoice.amountPaid = invoice.amountDue;
    invoice.status = 'paid';
  },

  holdDeposit: async ({ em, order }) => {
    const amount = Number(order.depositAmount);
    if (amount <= 0) return;
    await holdWallet(em, {
      userId: order.customer.id,
      amount,
      idempotencyKey: key(order, 'deposit'),
      reference: ref(order),
    });
    order.heldAmount = amount;
  },

  releaseItems: async ({ em, order, invoice }) => {
    await em.nativeUpdate(RentalOrderItem, { order: order.id }, { blocking: false });
    // An order ending unpaid (expired, or cancelled while reserved) gives its coupon back: the
    // usage waits for the user's next order or rental, as a failed rental start gives it back.
    if (Number(invoice.amountPaid) === 0) {
      await em.nativeUpdate(CouponUsage, { rentalOrder: order.id }, { rentalOrder: null, discountAmount: 0 });
    }
  },

  refundByPolicy: async (c) => {
    const { em, order, invoice } = c;
    const paid = Number(invoice.amountPaid);
    const config = await readMarketConfig(em);
    const refund = cancellationRefund(paid, order.startTs.getTime(), Date.now(), cancellationPolicy(config));
    if (refund <= 0) return;
    // Back where it came from: the wallet part first, the rest from the points part in proportion.
    const payment = await em.findOne(Transaction, { idempotencyKey: key(order, 'pay') });
    const walletPaid = Number(payment?.walletAmount ?? 0);
    const pointsPaid = payment?.pointsUsed ?? 0;
    const walletBack = Math.min(walletPaid, refund);
    const pointsShare = paid - walletPaid;
    const pointsBack = pointsShare > 0 ? Math.floor((pointsPaid * (refund - walletBack)) / pointsShare) : 0;
    const base = { userId: order.customer.id, type: 'refund' as const, reference: ref(order) };
    if (walletBack > 0) {
      await ledger.creditWallet(em, {
        ...base,
        amount: walletBack,
        idempotencyKey: key(order, 'refund:wallet'),
      });
    }
    if (pointsBack > 0) {
      await ledger.creditPoints(em, {
        ...base,
        amount: pointsBack,
        idempotencyKey: key(order, 'refund:points'),
      });
    }
    c.refunded = refund;
  },

  releaseDeposit: async ({ em, order }) => {
    const held = Number(order.heldAmount);
    if (held <= 0) return;
    await releaseHold(em, {
      userId: order.customer.id,
      amount: held,
      idempotencyKey: key(order, 'deposit'),
      reference: ref(order),
    });
    order.heldAmount = 0;
  },

  markItemsRented: async ({ em, order }) => {
    await runPrepared(em, MARK_ITEMS_RENTED, { orderId: order.id });
    orderNotice(em, order, PICKED_UP_NOTICE);
  },

  /**
   * The items are back: each one's status follows its inspection (the caller records it on the
   * lines first), the lines stop blocking the rest of the period, and a late return's fee is
   * fixed here — per pricing unit after the grace period (`market_late_grace_minutes`).
   */
  markItemsBack: async ({ em, order }) => {
    const lines = await em.find(RentalOrderItem, { order: order.id }, { populate: ['product'] });
    const byCondition = { ok: 'available', damaged: 'maintenance', missing: 'retired' } as const;
    for (const line of lines) {
      if (!line.inventoryItem) continue;
      const status = byCondition[line.returnCondition ?? 'ok'];
      await em.nativeUpdate(InventoryItem, { id: line.inventoryItem.id }, { status });
    }
    await em.nativeUpdate(RentalOrderItem, { order: order.id }, { blocking: false });
    order.returnedAt ??= new Date();
    const product = lines[0]?.product as Product | undefined;
    if (product) {
      const config = await readMarketConfig(em);
      order.lateFee = lateReturnFee({
        endMs: order.endTs.getTime(),
        returnedMs: order.returnedAt.getTime(),
        unit: product.pricingUnit,
        unitPrice: lines.reduce((sum, l) => sum + Number(l.unitPrice), 0),
        graceMinutes: config.market_late_grace_minutes,
      }).fee;
    }
    order.damageCharge = lines.reduce((sum, l) => sum + Number(l.damageAmount), 0);
    orderNotice(em, order, {
      type: 'market_order_returned',
      title: 'Returned',
      body: 'Thank you: your return was recorded.',
      vars: { late_fee: Number(order.lateFee), damage_charge: Number(order.damageCharge) },
    });
  },

  /**
   * The deposit meets the charges (late fee + damage, or what an admin decided): the hold covers
   * what it can (captured as a `fine`), the rest of it is released, and what it does not cover is
   * a due on the order — the wallet is never debited beyond the money set aside.
   */
  settleDeposit: async ({ em, order }) => {
    const held = Number(order.heldAmount);
    const charges = Number(order.lateFee) + Number(order.damageCharge);
    const split = settleAgainstHold(held, charges);
    if (held > 0) {
      await captureHold(em, {
        userId: order.customer.id,
        amount: held,
        charge: split.captured,
        type: 'fine',
        idempotencyKey: key(order, 'settle'),
        reference: ref(order),
        description: 'Marketplace return: late fee and damage',
      });
    }
    order.heldAmount = 0;
    order.capturedAmount = split.captured;
    order.dueAmount = split.due;
    orderNotice(em, order, {
      type: 'market_deposit_settled',
      title: 'Deposit settled',
      body: settledText(split),
      vars: {
        captured: split.captured,
        released: split.released,
        due: split.due,
        late_fee: Number(order.lateFee),
        damage_charge: Number(order.damageCharge),
      },
    });
  },

  // The reason is on the order (the caller sets it); the admin queue lists disputed orders.
  openDispute: async ({ em, order }) => {
    orderNotice(em, order, {
      type: 'market_dispute_opened',
      title: 'Dispute received',
      body: 'An admin will review the charge.',
    });
  },
};

const settledText = (s: { captured: number; released: number; due: number }) =>
  `${s.captured} taken from your deposit, ${s.released} released${s.due > 0 ? `, ${s.due} due` : ''} (minor units).`;

/** The customer's notice of a pickup (the entity path's effect and the api's plain pickup write it). */
export const PICKED_UP_NOTICE = {
  type: 'market_order_picked_up',
  title: 'Picked up',
  body: 'Your rental has started. Enjoy!',
} as const;

/**
 * The order's items are out: one statement (no read of the lines first). Prepared once
 * (`MARK_ITEMS_RENTED`), and a part of the api's one-statement pickup.
 */
export const itemsRentedQuery = (orderId: string) =>
  queryBuilder
    .updateTable('inventory_item')
    .set({ status: 'rented', updated_at: now() })
    .where(
      'id',
      'in',
      queryBuilder
        .selectFrom('rental_order_item')
        .select('inventory_item_id')
        .where('order_id', '=', orderId)
        .where('inventory_item_id', 'is not', null),
    );

export const MARK_ITEMS_RENTED = prepared((_db, p: { orderId: string }) => itemsRentedQuery(p.orderId));

/**
 * Applies one event to a locked order: asks the machine, carries out its effects, stores the
 * new status and logs the transition — all in the caller's transaction, so a refused payment or
 * hold leaves the order as it was. Null when the event does not apply in the order's status.
 */
export async function transitionOrder(
  em: EntityManager,
  order: RentalOrder,
  event: OrderEvent,
  options: {
    actor: string | null;
    payment?: OrderPayment;
    /** Called in the transaction when the order reaches `completed` (the api's `onOrderCompleted`). */
    onCompleted?: (em: EntityManager, order: RentalOrder) => Promise<void>;
  },
): Promise<{ refunded: number; invoice: Invoice } | null> {
  const step = orderStep(order.status, event);
  if (!step) return null;
  const invoice = await em.findOneOrFail(
    Invoice,
    { order: order.id },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  const c: EffectContext = { em, order, invoice, payment: options.payment, refunded: 0 };
  for (const effect of step.effects) await EFFECTS[effect](c);
  order.status = step.to;
  if (step.to !== 'reserved') order.reservedUntil = null;
  if ((step.to === 'expired' || step.to === 'cancelled') && Number(invoice.amountPaid) === 0)
    invoice.status = 'void';
  marketEvent(
    em,
    `order.${step.to}`,
    { userId: options.actor, productId: null },
    { orderId: order.id, from: step.from, event: event.type, refunded: c.refunded },
  );
  if (step.to === 'completed') await options.onCompleted?.(em, order);
  await em.flush();
  // The invoice as the transition left it: a caller answers with it instead of reading it again.
  return { refunded: c.refunded, invoice };
}

/** The order row locked for a transition: the customer's own (anyone else's is 404). */
export async function lockCustomerOrder(
  em: EntityManager,
  customerId: string,
  id: string,
): Promise<RentalOrder> {
  const order = await em.findOne(
    RentalOrder,
    { id, customer: customerId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!order) throw new DomainError('NOT_FOUND', 'no such order');
  return order;
}

/**
 * The reservation-expiry job (registered on the pg-boss worker): reserved orders past their
 * deadline, unpaid, become expired and free their items; nothing was charged, nothing is. Locks
 * with SKIP LOCKED, so a payment in flight on an order is not waited for (and, once committed,
 * takes the order out of the job's reach). Returns how many expired.
 */
export async function expireMarketReservations(em: EntityManager, limit = 500): Promise<number> {
  return em.fork().transactional(async (tem) => {
    const due = await tem.find(
      RentalOrder,
      { status: 'reserved', reservedUntil: { $lt: new Date() } },
      { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, limit, orderBy: { reservedUntil: 'asc' } },
    );
    for (const order of due) await transitionOrder(tem, order, { type: 'EXPIRE' }, { actor: null });
    return due.length;
  });
}
