import type { EntityManager } from '@mikro-orm/postgresql';
import { type RentalOrderItem, runPrepared } from '@powerbank/db';
import type { OrderStatus } from '@powerbank/domain';
import { orderStep } from '@powerbank/machines';
import { PICKED_UP_NOTICE } from '@powerbank/market';
import { uuidv7 } from 'uuidv7';
import type { HandoverOutput } from './handover.schemas.ts';
import { type ClaimParams, PICKUP_READ, PICKUP_WRITE, type PickupWriteParams } from './handover-queries.ts';
import { claimRefusal, HandoverRefused, qrRefusal } from './handover-refusal.ts';
import { settlementOf } from './handover-settlement.ts';
import { toOutput } from './orders.service.ts';

type ReadRow = typeof PICKUP_READ.row;
type Line = ReadRow['lines'][number];

/**
 * The pickup scan's transaction on plain records, no unit of work: the order, the scanner's
 * staff check, the lines, the invoice and the token's row in one read under the order's lock;
 * the order machine's step (PICKED_UP) taken on the order's status; then every write of it in one
 * statement conditioned on the token's claim (`PICKUP_WRITE`). Two round trips besides begin and
 * commit, where the entity path takes eight and a flush. The answer is built from the read rows
 * and the step, nothing read again. The same guarantees as the entity path: a token used,
 * expired, of another order or type, or scanned by anyone but the seller's staff is refused
 * before anything is written, and of concurrent scans the claim lets one through.
 */
export async function pickUp(tem: EntityManager, claim: ClaimParams): Promise<HandoverOutput> {
  const [row] = await runPrepared(tem, PICKUP_READ, {
    orderId: claim.orderId,
    qrId: claim.id,
    scannerId: claim.by,
  });
  if (!row) throw new HandoverRefused('wrong_order');
  if (!row.is_staff) throw new HandoverRefused('not_staff');
  const refusal = claimRefusal(row.qr, claim, Date.now());
  if (refusal) throw new HandoverRefused(refusal);
  const from = row.status as OrderStatus;
  const step = orderStep(from, { type: 'PICKED_UP' });
  // The order moved on: most likely a concurrent scan of this token claimed it while this one
  // waited for the lock (the token's row above predates that), so ask the token's row again.
  if (!step) throw new HandoverRefused((await qrRefusal(tem, claim)) ?? 'wrong_state');
  // `PICKUP_WRITE` carries out exactly these effects: the machine naming others is a change the
  // statement must follow, not something to skip silently.
  if (step.effects.join() !== 'markItemsRented') {
    throw new Error(`PICKED_UP from ${from} has effects ${step.effects.join()}: PICKUP_WRITE does not`);
  }
  const write: PickupWriteParams = {
    ...claim,
    status: step.to,
    customerId: row.customer_id,
    noticeId: uuidv7(),
    noticePayload: { order_id: row.id },
    dedupeKey: `${PICKED_UP_NOTICE.type}:${row.id}`,
    transitionEventId: uuidv7(),
    transitionEventType: `order.${step.to}`,
    transitionMetadata: { orderId: row.id, from, event: 'PICKED_UP', refunded: 0 },
    scanEventId: uuidv7(),
    scanMetadata: { orderId: row.id, qrId: claim.id, type: claim.type },
  };
  const [claimed] = await runPrepared(tem, PICKUP_WRITE, write);
  // The row matched when read: a concurrent scan claimed it, or the database's clock passed its expiry.
  if (!claimed) throw new HandoverRefused((await qrRefusal(tem, claim)) ?? 'expired');
  return answer(tem, row, step.to);
}

/** The scan's answer from the read row, with the order's new status. */
function answer(tem: EntityManager, row: ReadRow, status: OrderStatus): HandoverOutput {
  const platform = tem.getPlatform();
  const date = (value: unknown) => platform.parseDate(value as string);
  const dateOrNull = (value: unknown) => (value === null ? null : date(value));
  const order = {
    id: row.id,
    status,
    customer: { id: row.customer_id },
    seller: { id: row.seller_id },
    startTs: date(row.start_ts),
    endTs: date(row.end_ts),
    totalAmount: Number(row.total_amount),
    depositAmount: Number(row.deposit_amount),
    heldAmount: Number(row.held_amount),
    currency: row.currency,
    // The pickup clears it (`PICKUP_WRITE`), as the machine's step does for every status but reserved.
    reservedUntil: null,
    createdAt: date(row.created_at),
    returnedAt: dateOrNull(row.returned_at),
    lateFee: Number(row.late_fee),
    damageCharge: Number(row.damage_charge),
    capturedAmount: Number(row.captured_amount),
    dueAmount: Number(row.due_amount),
    disputeReason: row.dispute_reason,
  };
  const lines = row.lines.map((l: Line) => ({
    product: { id: l.product_id },
    inventoryItem: l.inventory_item_id ? { id: l.inventory_item_id } : null,
    returnCondition: l.return_condition as RentalOrderItem['returnCondition'],
    damageAmount: Number(l.damage_amount),
    damageReason: l.damage_reason,
    damagePhotos: l.damage_photos,
  }));
  const v = row.invoice;
  const invoice = v && {
    id: v.id,
    lines: v.lines,
    amountDue: Number(v.amount_due),
    amountPaid: Number(v.amount_paid),
    status: v.status,
    dueDate: v.due_date,
  };
  return { order: toOutput(order, lines, invoice), settlement: settlementOf(order, lines) };
}
