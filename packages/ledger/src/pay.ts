import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  configObject,
  configOf,
  jsonObjectFrom,
  prepared,
  queryBuilder,
  runPrepared,
  type TRANSACTION_TYPES,
  Transaction,
} from '@powerbank/db';
import {
  DomainError,
  decidePayment,
  type ExplicitSplit,
  type PaymentMode,
  type PaymentSplit,
  spendable,
} from '@powerbank/domain';
import { uuidv7 } from 'uuidv7';
import { ledger } from './ledger.ts';
import {
  type EntryInput,
  type EntryReference,
  type PointsEntryType,
  type WalletEntryType,
  type WalletPaymentParams,
  walletPaymentParams,
} from './ledger-entry.ts';
import { PAYMENT_CONFIG_KEYS, paymentConfigOf, pointsRatio } from './payment-config.ts';
import { PAYMENT_ROW, type PaymentRowParams } from './payment-row.ts';

/** How each kind of payment appears in the two ledgers. */
const ENTRY_TYPES = {
  rental: { wallet: 'rental_charge', points: 'rental_payment' },
  extension: { wallet: 'extension', points: 'rental_payment' },
  due: { wallet: 'due_payment', points: 'rental_payment' },
  fine: { wallet: 'fine', points: 'rental_payment' },
  order: { wallet: 'order_payment', points: 'order_payment' },
  invoice: { wallet: 'order_payment', points: 'order_payment' },
  subscription: { wallet: 'subscription', points: 'subscription' },
} as const satisfies Partial<
  Record<(typeof TRANSACTION_TYPES)[number], { wallet: WalletEntryType; points: PointsEntryType }>
>;
export type BalancePaymentType = keyof typeof ENTRY_TYPES;

export interface PayFromBalancesInput {
  userId: string;
  amount: number;
  type: BalancePaymentType;
  mode: PaymentMode;
  split?: ExplicitSplit;
  reference: EntryReference;
  idempotencyKey: string;
  description?: string;
  rentalId?: string;
  /**
   * The key is new to the caller's transaction (derived from a row it just created) and the
   * caller fails as a whole if the payment fails, so the payment runs without savepoints.
   */
  atomicWithCaller?: boolean;
  /**
   * What the payment would read (`paymentReadSelections`), already read by the caller in this
   * transaction: used by the first attempt, a retry reads again.
   */
  read?: PaymentRead;
}

export interface PaymentResult {
  transactionId: string;
  split: PaymentSplit;
  replayed: boolean;
}

/**
 * Pays an amount from wallet and/or points in one database transaction: the
 * split comes from the same `decidePayment` that calculate-options shows, the
 * `transactions` row records it, and the two ledger debits (keys derived from
 * the caller's key) re-check the balances at write time. A retry with the same
 * key returns the first payment; with another amount or mode, 409.
 */
export async function payFromBalances(
  em: EntityManager,
  input: PayFromBalancesInput,
): Promise<PaymentResult> {
  try {
    return await payOnce(em, input, input.read);
  } catch (error) {
    // Without savepoints the caller's transaction is aborted: the failure is the caller's answer.
    if (input.atomicWithCaller && em.isInTransaction()) throw error;
    // Two concurrent first attempts with one key: the loser's insert hits the unique key; answer as a retry.
    if (error instanceof UniqueConstraintViolationException && /idempotency_key/.test(error.message)) {
      return payOnce(em, input);
    }
    // Or the loser read the balances after the winner committed and found them spent: if a payment
    // with this key exists now, that is the answer, not INSUFFICIENT_FUNDS.
    if (error instanceof DomainError && error.code === 'INSUFFICIENT_FUNDS') {
      const existing = await em.fork().findOne(Transaction, { idempotencyKey: input.idempotencyKey });
      if (existing) return replayPayment({ ...existing, userId: existing.user.id }, input);
    }
    throw error;
  }
}

/** What a payment reads is bound to: the payer, the payment's key, the settings' keys (`PAYMENT_CONFIG_KEYS`). */
export interface PaymentReadParams {
  userId: string;
  key: string;
  configKeys: readonly string[];
}

/**
 * What a payment reads before it decides — the wallet, the points balance, an earlier payment
 * under the key, the settings — as select-list items. A caller that runs a statement in its
 * transaction anyway (the rental start) adds them to it and hands the row to `payFromBalances`
 * as `read`: one round trip fewer.
 */
export const paymentReadSelections = (p: PaymentReadParams) => [
  jsonObjectFrom(
    queryBuilder
      .selectFrom('wallet')
      .select(['balance', 'held', 'currency'])
      .where('user_id', '=', p.userId)
      .limit(1),
  ).as('pay_wallet'),
  queryBuilder
    .selectFrom('user_points')
    .select('balance')
    .where('user_id', '=', p.userId)
    .limit(1)
    .as('pay_points'),
  jsonObjectFrom(
    queryBuilder
      .selectFrom('transactions')
      .select(['id', 'user_id', 'type', 'amount', 'wallet_amount', 'points_used', 'metadata'])
      .where('idempotency_key', '=', p.key)
      .limit(1),
  ).as('pay_existing'),
  configObject(p.configKeys).as('pay_config'),
];

export const PAYMENT_READ = prepared((db, p: PaymentReadParams) => db.selectNoFrom(paymentReadSelections(p)));

/** A row with what a payment reads. */
export type PaymentRead = typeof PAYMENT_READ.row;
type StoredPayment = NonNullable<PaymentRead['pay_existing']>;

/**
 * How a payment would be split, from what it read — `decidePayment`, which calculate-options
 * shows too, over the spendable balances. Throws INSUFFICIENT_FUNDS as the payment would.
 */
export function decideFromRead(
  read: PaymentRead,
  input: Pick<PayFromBalancesInput, 'mode' | 'amount' | 'split'>,
): PaymentSplit {
  const wallet = walletOf(read);
  if (read.pay_points === null) throw notFound('points account');
  return decidePayment(
    input.mode,
    input.amount,
    {
      wallet: spendable({ balance: Number(wallet.balance), held: Number(wallet.held) }),
      points: Number(read.pay_points),
    },
    pointsRatio(paymentConfigOf(configOf(read.pay_config)), wallet.currency),
    input.split,
  );
}

function walletOf(read: PaymentRead): NonNullable<PaymentRead['pay_wallet']> {
  if (!read.pay_wallet) throw notFound('wallet');
  return read.pay_wallet;
}

function payOnce(
  em: EntityManager,
  input: PayFromBalancesInput,
  given?: PaymentRead,
): Promise<PaymentResult> {
  const atomic = input.atomicWithCaller === true && em.isInTransaction();
  const run = (work: (tem: EntityManager) => Promise<PaymentResult>) =>
    atomic ? work(em) : em.transactional(work);
  return run(async (tem) => {
    // Plain rows, not entities: this runs on every rental start, and nothing here is changed
    // through the unit of work (the ledger entries below are single statements too).
    const [read] = given
      ? [given]
      : await runPrepared(tem, PAYMENT_READ, {
          userId: input.userId,
          key: input.idempotencyKey,
          configKeys: PAYMENT_CONFIG_KEYS,
        });
    if (!read) throw new Error('the payment read answered no row');
    if (read.pay_existing) return replayPayment(paymentOf(read.pay_existing), input);
    const split = decideFromRead(read, input);
    const transactionId = uuidv7();
    // The payment row; with `atomic` it goes in the statement of the first debit (one round trip:
    // a refused debit fails the caller's whole transaction, the row with it).
    const paymentRow = paymentRowOf(input, split, walletOf(read).currency, transactionId);
    let alongside = atomic && (split.walletAmount > 0 || split.points > 0) ? paymentRow : undefined;
    if (!alongside) await runPrepared(tem, PAYMENT_ROW, paymentRow);
    if (split.walletAmount > 0) {
      await ledger.debitWallet(tem, {
        ...debitOf(input, 'wallet', split.walletAmount, atomic),
        transactionId,
        alongside,
      });
      alongside = undefined;
    }
    if (split.points > 0) {
      await ledger.debitPoints(tem, { ...debitOf(input, 'points', split.points, atomic), alongside });
    }
    return { transactionId, split, replayed: false };
  });
}

/** A payment's `transactions` row, as its split decided it. */
function paymentRowOf(
  input: PayFromBalancesInput,
  split: PaymentSplit,
  currency: string,
  transactionId: string,
): PaymentRowParams {
  return {
    paymentId: transactionId,
    payerId: input.userId,
    paymentType: input.type,
    total: input.amount,
    currency,
    walletAmount: split.walletAmount,
    pointsUsed: split.points,
    gateway: split.points > 0 && split.walletAmount === 0 ? 'points' : 'wallet',
    rentalId: input.rentalId ?? null,
    note: input.description ?? null,
    metadata: JSON.stringify({ mode: input.mode, reference: input.reference }),
    paymentKey: input.idempotencyKey,
  };
}

/** A payment's debit of one ledger (its key derived from the payment's). */
function debitOf<L extends 'wallet' | 'points'>(
  input: PayFromBalancesInput,
  kind: L,
  amount: number,
  atomic: boolean,
): EntryInput<(typeof ENTRY_TYPES)[BalancePaymentType][L]> {
  return {
    userId: input.userId,
    reference: input.reference,
    description: input.description,
    atomicWithCaller: atomic,
    amount,
    type: ENTRY_TYPES[input.type][kind],
    idempotencyKey: `${input.idempotencyKey}:${kind}`,
  };
}

/**
 * The payment `payFromBalances` would make from what the caller read (`input.read`), bound for
 * `withWalletPayment` — the same row and debit, written by the caller's own statement — when it is
 * paid from the wallet alone, new under its key, and `atomicWithCaller` (the caller fails as a
 * whole when the debit is refused: `wallet_entry` empty, `walletRefusal` says why). Null for any
 * other payment: the caller pays it with `payFromBalances`.
 */
export function walletPaymentOf(
  input: PayFromBalancesInput,
  split: PaymentSplit,
): WalletPaymentParams | null {
  const read = input.read;
  if (!input.atomicWithCaller || !read || read.pay_existing) return null;
  if (split.points > 0 || split.walletAmount <= 0) return null;
  const transactionId = uuidv7();
  return walletPaymentParams(
    { ...debitOf(input, 'wallet', split.walletAmount, true), transactionId },
    paymentRowOf(input, split, walletOf(read).currency, transactionId),
  );
}

type RecordedPayment = Pick<
  Transaction,
  'id' | 'type' | 'amount' | 'walletAmount' | 'pointsUsed' | 'metadata'
> & { userId: string };

const paymentOf = (row: StoredPayment): RecordedPayment => ({
  id: row.id,
  userId: row.user_id,
  type: row.type as Transaction['type'],
  amount: Number(row.amount),
  walletAmount: Number(row.wallet_amount),
  pointsUsed: Number(row.points_used),
  metadata: (row.metadata ?? null) as Record<string, unknown> | null,
});

/**
 * The payment recorded under the key, answered as this one's result — only if it is the same
 * payment: the same user, purpose (type and reference), amount and mode. Anything else under the
 * key is another payment, and answering it would clear whatever this one pays with no debit.
 */
function replayPayment(existing: RecordedPayment, input: PayFromBalancesInput): PaymentResult {
  const metadata = (existing.metadata ?? {}) as { mode?: string; reference?: Partial<EntryReference> };
  const same =
    existing.userId === input.userId &&
    existing.type === input.type &&
    metadata.reference?.type === input.reference.type &&
    metadata.reference?.id === input.reference.id &&
    existing.amount === input.amount &&
    metadata.mode === input.mode;
  if (!same) {
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different payment');
  }
  const pointsValue = existing.amount - existing.walletAmount;
  return {
    transactionId: existing.id,
    split: {
      mode: input.mode,
      amount: existing.amount,
      walletAmount: existing.walletAmount,
      points: existing.pointsUsed,
      pointsValue,
    },
    replayed: true,
  };
}

const notFound = (what: string) => new DomainError('NOT_FOUND', `no ${what} for this user`);
