import type { RentalOrder, RentalOrderItem } from '@powerbank/db';
import type { SettlementOutput } from './handover.schemas.ts';

/** What a settlement answer is built from: the order's entity, or a plain record of these fields. */
type SettlementOrder = Pick<
  RentalOrder,
  'returnedAt' | 'lateFee' | 'damageCharge' | 'capturedAmount' | 'dueAmount' | 'heldAmount' | 'disputeReason'
>;
type SettlementLine = Pick<
  RentalOrderItem,
  'returnCondition' | 'damageAmount' | 'damageReason' | 'damagePhotos'
> & { inventoryItem?: { id: string } | null };

/** The order and its return settlement, as customer or seller sees them. */
export function settlementOf(order: SettlementOrder, lines: SettlementLine[]): SettlementOutput {
  return {
    returned_at: order.returnedAt ?? null,
    late_fee: Number(order.lateFee),
    damage_charge: Number(order.damageCharge),
    captured_amount: Number(order.capturedAmount),
    due_amount: Number(order.dueAmount),
    held_amount: Number(order.heldAmount),
    dispute_reason: order.disputeReason ?? null,
    items: lines.map((l) => ({
      item_id: l.inventoryItem?.id ?? '',
      condition: l.returnCondition ?? null,
      damage_amount: Number(l.damageAmount),
      reason: l.damageReason ?? null,
      photo_ids: l.damagePhotos ?? [],
    })),
  };
}
