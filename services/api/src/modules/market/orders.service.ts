import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { configOf, Invoice, Product, RentalOrder, RentalOrderItem, runPrepared } from '@powerbank/db';
import { type Discount, DomainError, priceRental, type RentalPrice } from '@powerbank/domain';
import { orderStep } from '@powerbank/machines';
import {
  lockCustomerOrder,
  MARKET_CONFIG_KEYS,
  type MarketConfig,
  marketConfigOf,
  type OrderPayment,
  readMarketConfig,
  transitionOrder,
} from '@powerbank/market';
import { uuidv7 } from 'uuidv7';
import { clientKey } from '../../platform/client-key.ts';
import { CHECKOUT_READ, RESERVE_ORDER } from './checkout-queries.ts';
import type { CheckoutInput, OrderOutput, PayOrderInput, QuoteInput, QuoteOutput } from './market.schemas.ts';
import { freeItems, isDoubleBooking } from './order-availability.ts';
import { lockCoupon, orderCoupon, quoteCoupon, takeOrderCoupon } from './order-coupon.ts';
import { percentOfPlans, subscriptionPercent } from './subscription-discount.ts';

/** A checkout that lost its items to a concurrent one tries again this many times with other free items. */
const DOUBLE_BOOKING_RETRIES = 2;

async function activeProduct(em: EntityManager, id: string): Promise<Product> {
  const product = await em.findOne(Product, { id, active: true });
  if (!product) throw new DomainError('NOT_FOUND', 'no such product');
  return product;
}

function checkPeriod(start: Date, end: Date): void {
  if (!(end.getTime() > start.getTime())) {
    throw new DomainError('VALIDATION_FAILED', 'the period must end after it starts');
  }
  if (start.getTime() < Date.now() - 60_000) {
    throw new DomainError('VALIDATION_FAILED', 'the period must not start in the past');
  }
}

/** What the price takes of a product (the entity, or the checkout's read). */
interface PricedProduct {
  pricingUnit: Product['pricingUnit'];
  basePrice: number;
  deposit: number;
  minUnits: number;
  maxUnits?: number | null;
}

const pricedEntity = (product: Product): PricedProduct => ({
  pricingUnit: product.pricingUnit,
  basePrice: Number(product.basePrice),
  deposit: Number(product.deposit),
  minUnits: product.minUnits,
  maxUnits: product.maxUnits ?? null,
});

/**
 * The one price (packages/domain's `priceRental`) of a product over a period: quote and checkout
 * both use it, with the customer's subscription percentage (`subscriptionPercent`).
 */
function priceOf(
  config: MarketConfig,
  product: PricedProduct,
  start: Date,
  end: Date,
  quantity: number,
  planPercent: number,
  coupon?: Discount,
): RentalPrice {
  return priceRental({
    unit: product.pricingUnit,
    unitPrice: product.basePrice,
    deposit: product.deposit,
    startMs: start.getTime(),
    endMs: end.getTime(),
    quantity,
    minUnits: product.minUnits,
    maxUnits: product.maxUnits ?? null,
    subscriptionPercent: planPercent,
    coupon,
    taxRateBp: config.market_tax_rate_bp,
  });
}

/** The price over a period; a signed-in customer's subscription discount included. */
export async function quote(
  em: EntityManager,
  input: QuoteInput,
  customerId: string | null = null,
): Promise<QuoteOutput> {
  checkPeriod(input.start, input.end);
  const product = await activeProduct(em, input.product_id);
  const percent = await subscriptionPercent(em, customerId, {
    id: product.id,
    categoryId: product.category.id,
  });
  const coupon = input.coupon_code ? await quoteCoupon(em, input.coupon_code, product.currency) : undefined;
  const price = priceOf(
    await readMarketConfig(em),
    pricedEntity(product),
    input.start,
    input.end,
    input.quantity,
    percent,
    coupon,
  );
  const free = await freeItems(em, product.id, input.start, input.end, input.quantity);
  return {
    product_id: product.id,
    units: price.units,
    currency: product.currency,
    lines: price.lines,
    rent: price.rent,
    discount: price.discount,
    tax: price.tax,
    charge: price.charge,
    deposit: price.deposit,
    total: price.total,
    available: free.length >= input.quantity,
  };
}

/**
 * `market.checkout`: reserves free items of the product for the period (an order `reserved`
 * with its lines and invoice) and, with a payment_mode, pays the invoice and holds the deposit
 * in the same transaction — all or nothing. Two checkouts racing for one item: the exclusion
 * constraint lets one commit; the other retries with another free item, or answers 409 with
 * nothing written and no money moved. A retry with the same idempotency key answers the first
 * order (its key is scoped to the user and product, as the other client keys).
 */
export async function checkout(
  em: EntityManager,
  userId: string,
  input: CheckoutInput,
): Promise<OrderOutput> {
  checkPeriod(input.start, input.end);
  const key = clientKey(userId, 'market-checkout', input.product_id, input.idempotency_key);
  // No look-up of the key first: a retry's insert meets the key's unique index (or its own items
  // taken) and is answered below as the first checkout — one round trip fewer for every checkout.
  const payment = input.payment_mode ? { mode: input.payment_mode, split: splitOf(input.split) } : undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await em.fork().transactional((tem) => reserve(tem, userId, key, input, payment));
    } catch (error) {
      // The same key raced itself: the first checkout won (the key's unique index, or its items
      // taken by it, or none left free after it committed); answer as a retry.
      const lost =
        (error instanceof UniqueConstraintViolationException && /idempotency_key/.test(error.message)) ||
        isDoubleBooking(error) ||
        (error instanceof DomainError && error.code === 'CONFLICT');
      if (lost) {
        const winner = await replayCheckout(em.fork(), userId, key, input);
        if (winner) return winner;
      }
      if (isDoubleBooking(error)) {
        if (attempt < DOUBLE_BOOKING_RETRIES) continue;
        throw new DomainError('CONFLICT', 'the item was just booked by someone else for this period');
      }
      throw error;
    }
  }
}

const splitOf = (split: CheckoutInput['split']) =>
  split ? { walletAmount: split.wallet_amount, points: split.points } : undefined;

async function replayCheckout(
  em: EntityManager,
  userId: string,
  key: string,
  input: CheckoutInput,
): Promise<OrderOutput | null> {
  const order = await em.findOne(RentalOrder, { idempotencyKey: key });
  if (!order) return null;
  const answer = await orderOutput(em, userId, order.id);
  const same =
    answer.product_id === input.product_id &&
    answer.start.getTime() === input.start.getTime() &&
    answer.end.getTime() === input.end.getTime() &&
    answer.quantity === input.quantity;
  if (!same) {
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different checkout');
  }
  return answer;
}

async function reserve(
  tem: EntityManager,
  userId: string,
  key: string,
  input: CheckoutInput,
  payment: OrderPayment | undefined,
): Promise<OrderOutput> {
  // The coupon's row is locked before anything is read: one lock order for every checkout, and
  // the reads after it see the coupon's uses committed meanwhile.
  const lockedCoupon = input.coupon_code ? await lockCoupon(tem, input.coupon_code) : undefined;
  const at = new Date();
  const [row] = await runPrepared(tem, CHECKOUT_READ, {
    productId: input.product_id,
    customerId: userId,
    start: input.start,
    end: input.end,
    quantity: input.quantity,
    at,
    configKeys: MARKET_CONFIG_KEYS,
  });
  if (!row) throw new DomainError('NOT_FOUND', 'no such product');
  if (row.seller_id === userId) throw new DomainError('BUSINESS_RULE', 'you cannot rent your own product');
  const config = marketConfigOf(configOf(row.config));
  const product = {
    pricingUnit: row.pricing_unit,
    basePrice: Number(row.base_price),
    deposit: Number(row.deposit),
    minUnits: Number(row.min_units),
    maxUnits: row.max_units == null ? null : Number(row.max_units),
  };
  const coupon =
    lockedCoupon !== undefined ? await orderCoupon(tem, userId, lockedCoupon, row.currency) : undefined;
  // The category trail is read only when the customer has a live plan.
  const percent = await percentOfPlans(tem, row.plans, {
    id: input.product_id,
    categoryId: Number(row.category_id),
  });
  const price = priceOf(config, product, input.start, input.end, input.quantity, percent, coupon?.discount);
  const items = row.items;
  if (items.length < input.quantity) {
    throw new DomainError('CONFLICT', 'not enough items are free for this period', { free: items.length });
  }
  const step = orderStep('draft', { type: 'RESERVE' });
  if (step?.to !== 'reserved') throw new Error('the order machine refused RESERVE from draft');
  const reservedUntil = new Date(Date.now() + config.market_reservation_minutes * 60_000);
  const orderId = uuidv7();
  const lines = items.map((item) => ({ id: uuidv7(), item }));
  const invoiceId = uuidv7();
  const dueDate = reservedUntil.toISOString().slice(0, 10);
  // One statement: the order, its lines (blockItems: one per item, carrying the period the
  // exclusion constraint checks — a double booking fails here, before any money moves), the
  // invoice (issueInvoice: the deposit is a line of its own, held rather than charged) and the event.
  const [written] = await runPrepared(tem, RESERVE_ORDER, {
    orderId,
    customerId: userId,
    sellerId: row.seller_id,
    status: step.to,
    totalAmount: price.charge,
    depositAmount: price.deposit,
    currency: row.currency,
    start: input.start,
    end: input.end,
    reservedUntil,
    idempotencyKey: key,
    productId: input.product_id,
    unitPrice: product.basePrice,
    lineAmount: product.basePrice * price.units,
    lines: JSON.stringify(lines),
    invoiceId,
    invoiceLines: JSON.stringify(price.lines),
    dueDate,
    eventId: uuidv7(),
    eventMetadata: { orderId, items },
  });
  const couponLine = price.lines.find((l) => l.kind === 'coupon_discount');
  if (coupon)
    await takeOrderCoupon(tem, coupon, { id: orderId, customerId: userId }, -(couponLine?.amount ?? 0));
  // The answer from the values just written: nothing to read back (a paid order's changes below).
  const answer: OrderOutput = {
    id: orderId,
    status: step.to,
    customer_id: userId,
    seller_id: row.seller_id,
    product_id: input.product_id,
    item_ids: items,
    quantity: items.length,
    start: input.start,
    end: input.end,
    total_amount: price.charge,
    deposit_amount: price.deposit,
    held_amount: 0,
    currency: row.currency,
    reserved_until: reservedUntil,
    invoice: {
      id: invoiceId,
      lines: price.lines,
      amount_due: price.charge,
      amount_paid: 0,
      status: 'issued',
      due_date: dueDate,
    },
    created_at: new Date(written?.created_at ?? at),
  };
  if (!payment) return answer;
  const order = await tem.findOneOrFail(RentalOrder, orderId);
  await transitionOrder(tem, order, { type: 'PAY' }, { actor: userId, payment });
  const invoice = await tem.findOneOrFail(Invoice, invoiceId);
  return {
    ...answer,
    status: order.status,
    held_amount: Number(order.heldAmount),
    reserved_until: order.reservedUntil ?? null,
    invoice: answer.invoice && {
      ...answer.invoice,
      amount_paid: Number(invoice.amountPaid),
      status: invoice.status,
    },
  };
}

/** `market.orders.pay`: pays a reserved order's invoice and holds its deposit; a paid order answers as it is. */
export async function payOrder(
  em: EntityManager,
  userId: string,
  input: PayOrderInput,
): Promise<OrderOutput> {
  await em.fork().transactional(async (tem) => {
    const order = await lockCustomerOrder(tem, userId, input.id);
    if (order.status === 'confirmed') return; // paid already: a retry
    if (order.status === 'reserved' && order.reservedUntil && order.reservedUntil.getTime() <= Date.now()) {
      throw new DomainError('BUSINESS_RULE', 'the reservation expired; check out again');
    }
    const payment = { mode: input.payment_mode, split: splitOf(input.split) };
    const done = await transitionOrder(tem, order, { type: 'PAY' }, { actor: userId, payment });
    if (!done) throw new DomainError('BUSINESS_RULE', `an order ${order.status} cannot be paid`);
  });
  return orderOutput(em.fork(), userId, input.id);
}

/** `market.orders.cancel`: before pickup; a paid order is refunded by the cancellation policy, its deposit released. */
export async function cancelOrder(em: EntityManager, userId: string, id: string): Promise<OrderOutput> {
  const refunded = await em.fork().transactional(async (tem) => {
    const order = await lockCustomerOrder(tem, userId, id);
    const done = await transitionOrder(tem, order, { type: 'CANCEL' }, { actor: userId });
    if (!done) throw new DomainError('BUSINESS_RULE', `an order ${order.status} cannot be cancelled`);
    return done.refunded;
  });
  return { ...(await orderOutput(em.fork(), userId, id)), refunded };
}

/** An order as its customer or its seller sees it; anyone else gets 404. */
export async function orderOutput(em: EntityManager, userId: string, id: string): Promise<OrderOutput> {
  const order = await em.findOne(RentalOrder, { id, $or: [{ customer: userId }, { seller: userId }] });
  if (!order) throw new DomainError('NOT_FOUND', 'no such order');
  const [lines, invoice] = await Promise.all([
    em.find(RentalOrderItem, { order: id }, { orderBy: { createdAt: 'asc' } }),
    em.findOne(Invoice, { order: id }),
  ]);
  return toOutput(order, lines, invoice);
}

/** What an order's answer is built from: its entity, or a plain record with the same fields. */
export type OrderSource = Pick<
  RentalOrder,
  | 'id'
  | 'status'
  | 'startTs'
  | 'endTs'
  | 'totalAmount'
  | 'depositAmount'
  | 'heldAmount'
  | 'currency'
  | 'reservedUntil'
  | 'createdAt'
> & { customer: { id: string }; seller: { id: string } };
export interface LineSource {
  product: { id: string };
  inventoryItem?: { id: string } | null;
}
export type InvoiceSource = Pick<Invoice, 'id' | 'lines' | 'amountDue' | 'amountPaid' | 'status' | 'dueDate'>;

/** An order as the api answers it, from rows already at hand. */
export function toOutput(
  order: OrderSource,
  lines: LineSource[],
  invoice: InvoiceSource | null,
): OrderOutput {
  return {
    id: order.id,
    status: order.status,
    customer_id: order.customer.id,
    seller_id: order.seller.id,
    product_id: lines[0]?.product.id ?? '',
    item_ids: lines.flatMap((l) => (l.inventoryItem ? [l.inventoryItem.id] : [])),
    quantity: lines.length,
    start: order.startTs,
    end: order.endTs,
    total_amount: Number(order.totalAmount),
    deposit_amount: Number(order.depositAmount),
    held_amount: Number(order.heldAmount),
    currency: order.currency,
    reserved_until: order.reservedUntil ?? null,
    invoice: invoice
      ? {
          id: invoice.id,
          lines: invoice.lines,
          amount_due: Number(invoice.amountDue),
          amount_paid: Number(invoice.amountPaid),
          status: invoice.status,
          due_date: String(invoice.dueDate),
        }
      : null,
    created_at: order.createdAt,
  };
}

/** The user's orders as customer, or as seller, newest first. */
export async function listOrders(
  em: EntityManager,
  userId: string,
  input: { role: 'customer' | 'seller'; status?: RentalOrder['status'] },
) {
  const orders = await em.find(
    RentalOrder,
    { [input.role]: userId, ...(input.status ? { status: input.status } : {}) },
    { orderBy: { createdAt: 'desc' }, limit: 100 },
  );
  const ids = orders.map((o) => o.id);
  const [lines, invoices] = await Promise.all([
    em.find(RentalOrderItem, { order: { $in: ids } }, { orderBy: { createdAt: 'asc' } }),
    em.find(Invoice, { order: { $in: ids } }),
  ]);
  return {
    results: orders.map((o) =>
      toOutput(
        o,
        lines.filter((l) => l.order.id === o.id),
        invoices.find((i) => i.order.id === o.id) ?? null,
      ),
    ),
  };
}
