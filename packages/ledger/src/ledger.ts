import type { EntityManager } from '@mikro-orm/postgresql';
import {
  applyEntry,
  type EntryInput,
  type EntryResult,
  type PointsEntryType,
  type SellerEntryType,
  type WalletEntryType,
} from './ledger-entry.ts';

/**
 * The only way balances change. Each call writes the balance and its ledger
 * row together (sum of rows = balance), refuses an overdraft with
 * INSUFFICIENT_FUNDS, and applies an idempotency key once. Pass a
 * transactional entity manager to make it part of a larger unit of work.
 */
export const ledger = {
  debitWallet: (em: EntityManager, input: EntryInput<WalletEntryType>): Promise<EntryResult> =>
    applyEntry(em, 'wallet', 'debit', input),
  creditWallet: (em: EntityManager, input: EntryInput<WalletEntryType>): Promise<EntryResult> =>
    applyEntry(em, 'wallet', 'credit', input),
  debitPoints: (em: EntityManager, input: EntryInput<PointsEntryType>): Promise<EntryResult> =>
    applyEntry(em, 'points', 'debit', input),
  creditPoints: (em: EntityManager, input: EntryInput<PointsEntryType>): Promise<EntryResult> =>
    applyEntry(em, 'points', 'credit', input),
  /** A seller's balance (marketplace payouts): the same rules, keyed by the seller's user id. */
  debitSeller: (em: EntityManager, input: EntryInput<SellerEntryType>): Promise<EntryResult> =>
    applyEntry(em, 'seller', 'debit', input),
  creditSeller: (em: EntityManager, input: EntryInput<SellerEntryType>): Promise<EntryResult> =>
    applyEntry(em, 'seller', 'credit', input),
};
