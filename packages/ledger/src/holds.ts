import type { EntityManager } from '@mikro-orm/postgresql';
import { now, prepared, runPrepared } from '@powerbank/db';
import { assertPositiveMinorUnits, DomainError, insufficientFunds } from '@powerbank/domain';
import { applyEntry, type EntryReference, type EntryResult, type WalletEntryType } from './ledger-entry.ts';

/**
 * Wallet holds (post-paid deposits). A hold sets money aside without moving
 * it: only `wallet.held` changes, so no ledger row is written and "sum of
 * wallet_transaction.amount = wallet.balance" keeps holding; what is spendable
 * is `balance - held` everywhere. The holder (a rental's `held_amount`)
 * records how much it holds and is the idempotency record: callers hold once
 * per holder and release or capture only while the holder still records a
 * hold, under the holder's row lock, in the same transaction as the change.
 */
export interface HoldInput {
  userId: string;
  /** Positive minor units. */
  amount: number;
  /** Names the hold in errors and logs; the holder's own state decides "already done". */
  idempotencyKey: string;
  /** The holder, e.g. `{ type: 'rental', id }`. */
  reference: EntryReference;
}

export interface HoldResult {
  held: number;
  balance: number;
}

export interface CaptureInput extends HoldInput {
  /** What is charged now; may be 0 (release only) or more than the hold. */
  charge: number;
  type: WalletEntryType;
  description?: string;
}

export interface CaptureResult extends HoldResult {
  entry: EntryResult | null;
}

interface Move {
  amount: number;
  userId: string;
}

/** `held` moved by `amount`, only while the guard holds: what is spendable covers a hold, `held` covers a release. */
const HOLD = prepared((db, p: Move) =>
  db
    .updateTable('wallet')
    .set((eb) => ({ held: eb('held', '+', p.amount), version: eb('version', '+', 1), updated_at: now() }))
    .where('user_id', '=', p.userId)
    .where((eb) => eb(eb('balance', '-', eb.ref('held')), '>=', p.amount))
    .returning(['held', 'balance']),
);
const RELEASE = prepared((db, p: Move) =>
  db
    .updateTable('wallet')
    .set((eb) => ({ held: eb('held', '-', p.amount), version: eb('version', '+', 1), updated_at: now() }))
    .where('user_id', '=', p.userId)
    .where('held', '>=', p.amount)
    .returning(['held', 'balance']),
);
const SPENDABLE = prepared((db, p: { userId: string }) =>
  db
    .selectFrom('wallet')
    .select((eb) => eb('balance', '-', eb.ref('held')).as('spendable'))
    .where('user_id', '=', p.userId),
);

const result = (row: typeof HOLD.row): HoldResult => ({
  held: Number(row.held),
  balance: Number(row.balance),
});

/**
 * Sets `amount` aside: one conditional update (`balance - held >= amount`),
 * so two holds racing for the same spendable money cannot both succeed.
 * Refuses with INSUFFICIENT_FUNDS (nothing changed) when it cannot be held.
 */
export async function holdWallet(em: EntityManager, input: HoldInput): Promise<HoldResult> {
  assertPositiveMinorUnits(input.amount, 'amount');
  const [row] = await runPrepared(em, HOLD, input);
  if (row) return result(row);
  const [account] = await runPrepared(em, SPENDABLE, input);
  if (!account) throw new DomainError('NOT_FOUND', 'no wallet account for this user');
  throw insufficientFunds('wallet', input.amount, Number(account.spendable));
}

/** Gives back `amount` of a hold; refuses (CONFLICT) rather than let `held` go negative. */
export async function releaseHold(em: EntityManager, input: HoldInput): Promise<HoldResult> {
  assertPositiveMinorUnits(input.amount, 'amount');
  const [row] = await runPrepared(em, RELEASE, input);
  if (row) return result(row);
  throw new DomainError('CONFLICT', 'the wallet does not hold this much', {
    idempotencyKey: input.idempotencyKey,
    reference: input.reference,
  });
}

/**
 * Settles a hold against what is owed, in one transaction (a savepoint inside
 * the caller's): the hold is released and `charge` is debited through the
 * ledger with `idempotencyKey`. If the wallet cannot cover the charge the
 * whole capture is undone (the hold stays) and INSUFFICIENT_FUNDS is thrown,
 * so the caller can release the hold and record a due instead.
 */
export function captureHold(em: EntityManager, input: CaptureInput): Promise<CaptureResult> {
  return em.transactional(async (tem) => {
    const released = await releaseHold(tem, input);
    if (input.charge <= 0) return { ...released, entry: null };
    const entry = await applyEntry(tem, 'wallet', 'debit', {
      userId: input.userId,
      amount: input.charge,
      type: input.type,
      idempotencyKey: input.idempotencyKey,
      reference: input.reference,
      description: input.description,
    });
    return { held: released.held, balance: entry.balanceAfter, entry };
  });
}
