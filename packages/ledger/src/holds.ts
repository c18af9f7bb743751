import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '@powerbank/db';
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

interface Row {
  held: string | number;
  balance: string | number;
}

const HOLD_SQL =
  'update wallet set held = held + $1, version = version + 1, updated_at = now() ' +
  'where user_id = $2 and balance - held >= $1 returning held, balance';
const RELEASE_SQL =
  'update wallet set held = held - $1, version = version + 1, updated_at = now() ' +
  'where user_id = $2 and held >= $1 returning held, balance';

const result = (row: Row): HoldResult => ({ held: Number(row.held), balance: Number(row.balance) });

/**
 * Sets `amount` aside: one conditional update (`balance - held >= amount`),
 * so two holds racing for the same spendable money cannot both succeed.
 * Refuses with INSUFFICIENT_FUNDS (nothing changed) when it cannot be held.
 */
export async function holdWallet(em: EntityManager, input: HoldInput): Promise<HoldResult> {
  assertPositiveMinorUnits(input.amount, 'amount');
  const rows = await sqlRows<Row>(em, HOLD_SQL, [input.amount, input.userId]);
  const row = rows[0];
  if (row) return result(row);
  const [account] = await sqlRows<{ spendable: string | number }>(
    em,
    'select balance - held as spendable from wallet where user_id = $1',
    [input.userId],
  );
  if (!account) throw new DomainError('NOT_FOUND', 'no wallet account for this user');
  throw insufficientFunds('wallet', input.amount, Number(account.spendable));
}

/** Gives back `amount` of a hold; refuses (CONFLICT) rather than let `held` go negative. */
export async function releaseHold(em: EntityManager, input: HoldInput): Promise<HoldResult> {
  assertPositiveMinorUnits(input.amount, 'amount');
  const rows = await sqlRows<Row>(em, RELEASE_SQL, [input.amount, input.userId]);
  const row = rows[0];
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
