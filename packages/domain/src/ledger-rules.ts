import { DomainError } from './errors.ts';
import { assertMinorUnits } from './money.ts';

/** Which balance a ledger entry moves: a user's wallet or points, or a seller's balance (marketplace payouts). */
export type LedgerKind = 'wallet' | 'points' | 'seller';

/** A balance as the ledger sees it: `held` is reserved for post-paid rentals and cannot be spent. */
export interface LedgerBalance {
  balance: number;
  held: number;
}

/** What may be spent now. */
export function spendable(account: LedgerBalance): number {
  return account.balance - account.held;
}

/**
 * The balance after a signed change, or INSUFFICIENT_FUNDS when a debit would
 * dip into the held part or below zero. The database enforces the same rule
 * (CHECK balance >= 0, held <= balance, and the debit's `WHERE`), this says
 * it first with a readable error.
 */
export function nextBalance(kind: LedgerKind, account: LedgerBalance, delta: number): number {
  assertMinorUnits(delta, 'delta');
  if (delta === 0) throw new DomainError('VALIDATION_FAILED', 'a ledger entry must change the balance');
  const next = account.balance + delta;
  assertMinorUnits(next, 'balance');
  if (delta < 0 && -delta > spendable(account)) {
    throw new DomainError('INSUFFICIENT_FUNDS', `${kind} balance too low`, {
      kind,
      required: -delta,
      available: spendable(account),
      missing: -delta - spendable(account),
    });
  }
  return next;
}

/** The insufficient-funds refusal for a debit the database refused (its conditional update matched no row). */
export function insufficientFunds(kind: LedgerKind, required: number, available: number): DomainError {
  return new DomainError('INSUFFICIENT_FUNDS', `${kind} balance too low`, {
    kind,
    required,
    available,
    missing: Math.max(0, required - available),
  });
}
