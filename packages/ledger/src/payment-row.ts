import { type DB, type Insertable, type InsertObject, now, prepared } from '@powerbank/db';

/** What a balance payment's `transactions` row binds (names apart from a ledger entry's own). */
export interface PaymentRowParams {
  paymentId: string;
  payerId: string;
  paymentType: string;
  total: number;
  currency: string;
  walletAmount: number;
  pointsUsed: number;
  gateway: string;
  rentalId: string | null;
  note: string | null;
  /** JSON text. */
  metadata: string;
  paymentKey: string;
}

/** The `transactions` row of a payment made from the balances: succeeded as it is written. */
export const paymentRowValues = (p: PaymentRowParams): InsertObject<DB, 'transactions'> => ({
  id: p.paymentId,
  user_id: p.payerId,
  type: p.paymentType as Insertable<DB['transactions']>['type'],
  status: 'succeeded',
  amount: p.total,
  currency: p.currency,
  wallet_amount: p.walletAmount,
  points_used: p.pointsUsed,
  gateway: p.gateway as Insertable<DB['transactions']>['gateway'],
  rental_id: p.rentalId,
  paid_at: now(),
  description: p.note,
  metadata: p.metadata as unknown as Record<string, unknown>,
  idempotency_key: p.paymentKey,
  created_at: now(),
  updated_at: now(),
});

/** The row alone, when no ledger entry carries it (see `EntryInput.alongside`). */
export const PAYMENT_ROW = prepared((db, p: PaymentRowParams) =>
  db.insertInto('transactions').values(paymentRowValues(p)),
);
