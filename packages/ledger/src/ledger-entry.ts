import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type POINTS_TX_TYPES, sqlRows, type WALLET_TX_TYPES } from '@powerbank/db';
import { assertPositiveMinorUnits, DomainError, insufficientFunds, type LedgerKind } from '@powerbank/domain';
import { uuidv7 } from 'uuidv7';

export type WalletEntryType = (typeof WALLET_TX_TYPES)[number];
export type PointsEntryType = (typeof POINTS_TX_TYPES)[number];

/** What caused an entry, e.g. `{ type: 'payment_intent', id }`. */
export interface EntryReference {
  type: string;
  id: string;
}

export interface EntryInput<T extends string> {
  userId: string;
  /** Positive; the direction comes from debit/credit. */
  amount: number;
  type: T;
  /** The same key with the same request returns the first result; with another request, 409. */
  idempotencyKey: string;
  reference?: EntryReference;
  /** The payment record (`transactions` row) the entry belongs to. */
  transactionId?: string;
  description?: string;
  /**
   * The caller's transaction stands or falls with this entry: no other transaction can write
   * this key meanwhile (it derives from a row the caller created or holds locked), and a failure
   * here fails the caller's work anyway. The entry then needs no savepoint (two round trips)
   * to survive a duplicate key.
   */
  atomicWithCaller?: boolean;
  /**
   * A row the caller writes in the same statement, ahead of the entry: an `insert` (`?`
   * placeholders, `params` for them) run as a data-modifying CTE — one round trip for both. Only
   * with `atomicWithCaller`: the insert runs even when the entry is refused, and the caller's
   * transaction must then fail as a whole.
   */
  alongside?: { sql: string; params: unknown[] };
}

export interface EntryResult {
  entryId: string;
  accountId: string;
  /** Signed change as written: negative for debits. */
  delta: number;
  balanceAfter: number;
  /** True when the key had already been applied and this is the original result. */
  replayed: boolean;
}

/** The two ledgers differ only in table and column names and in what "spendable" means. */
interface LedgerTables {
  kind: LedgerKind;
  account: string;
  entries: string;
  amountColumn: string;
  accountFk: string;
  /** Wallets keep `held` aside for post-paid rentals; points have nothing held. */
  spendable: string;
  /** Extra assignments on a credit (points count towards lifetime earned). */
  onEarn: string;
  currency: boolean;
}

const WALLET: LedgerTables = {
  kind: 'wallet',
  account: 'wallet',
  entries: 'wallet_transaction',
  amountColumn: 'amount',
  accountFk: 'wallet_id',
  spendable: 'balance - held',
  onEarn: '',
  currency: true,
};

const POINTS: LedgerTables = {
  kind: 'points',
  account: 'user_points',
  entries: 'points_transaction',
  amountColumn: 'points',
  accountFk: 'account_id',
  spendable: 'balance',
  onEarn: ', lifetime_earned = lifetime_earned + ?',
  currency: false,
};

/** Points given back (a refund, a correction) are not "earned": lifetime totals drive loyalty tiers. */
const NOT_EARNED: readonly string[] = ['refund', 'adjustment'];

/**
 * One statement moves the balance and writes the ledger row: a data-modifying
 * CTE does the conditional update (`WHERE balance - held >= amount`, so a
 * debit that cannot be afforded matches no row and nothing changes) and the
 * INSERT takes `balance_after` from its RETURNING. Postgres runs a statement
 * atomically, so outside a transaction this is one round trip with no
 * explicit lock; a duplicate idempotency key fails the INSERT and with it the
 * UPDATE. See docs/benchmarks.md ("Ledger") for why not SELECT … FOR UPDATE.
 */
function entrySql(t: LedgerTables, direction: 'debit' | 'credit'): string {
  const set = direction === 'debit' ? `balance = balance - ?` : `balance = balance + ?${t.onEarn}`;
  const guard = direction === 'debit' ? ` and ${t.spendable} >= ?` : '';
  const currencyCol = t.currency ? ', currency' : '';
  const currencyVal = t.currency ? ', a.currency' : '';
  return (
    `with a as (update "${t.account}" set ${set}, version = version + 1, updated_at = now() ` +
    `where user_id = ?${guard} returning id, balance${t.currency ? ', currency' : ''}) ` +
    `insert into "${t.entries}" (id, ${t.accountFk}, user_id, type, ${t.amountColumn}, balance_after${currencyCol}, ` +
    `reference_type, reference_id, ${t.currency ? 'transaction_id, ' : ''}idempotency_key, description, created_at) ` +
    `select ?, a.id, ?, ?, ?, a.balance${currencyVal}, ?, ?, ${t.currency ? '?, ' : ''}?, ?, now() from a ` +
    `returning id, ${t.accountFk} as account_id, balance_after`
  );
}

// Written with `?` for readability while the text is assembled; run with `$n` (prepared statements).
export const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

const SQL = {
  wallet: { debit: numbered(entrySql(WALLET, 'debit')), credit: numbered(entrySql(WALLET, 'credit')) },
  points: { debit: numbered(entrySql(POINTS, 'debit')), credit: numbered(entrySql(POINTS, 'credit')) },
};

/** The statement and parameters for one entry; exported for the benchmark's pgbench script. */
export function entryStatement(kind: LedgerKind, direction: 'debit' | 'credit', input: EntryInput<string>) {
  const t = kind === 'wallet' ? WALLET : POINTS;
  const params = entryParams(t, direction, input);
  if (!input.alongside) return { sql: SQL[kind][direction], params };
  // The entry's own `with a as (…)` continues the caller's CTE.
  const sql = numbered(`with p as (${input.alongside.sql}), ${entrySql(t, direction).slice('with '.length)}`);
  return { sql, params: [...input.alongside.params, ...params] };
}

function entryParams(t: LedgerTables, direction: 'debit' | 'credit', input: EntryInput<string>): unknown[] {
  const earns = direction === 'credit' && t.kind === 'points' && !NOT_EARNED.includes(input.type);
  const params: unknown[] = [input.amount];
  if (direction === 'credit' && t.kind === 'points') params.push(earns ? input.amount : 0);
  params.push(input.userId);
  if (direction === 'debit') params.push(input.amount);
  params.push(
    uuidv7(),
    input.userId,
    input.type,
    direction === 'debit' ? -input.amount : input.amount,
    input.reference?.type ?? null,
    input.reference?.id ?? null,
  );
  if (t.currency) params.push(input.transactionId ?? null);
  params.push(input.idempotencyKey, input.description ?? null);
  return params;
}

interface EntryRow {
  id: string;
  account_id: string;
  balance_after: string | number;
}

/**
 * Applies one entry, exactly once per idempotency key. Inside a caller's
 * transaction it runs in a savepoint, so a duplicate key can be answered
 * without aborting the caller's work.
 */
export async function applyEntry(
  em: EntityManager,
  kind: LedgerKind,
  direction: 'debit' | 'credit',
  input: EntryInput<string>,
): Promise<EntryResult> {
  assertPositiveMinorUnits(input.amount, kind === 'wallet' ? 'amount' : 'points');
  if (input.alongside && !(input.atomicWithCaller && em.isInTransaction())) {
    throw new Error('a row alongside an entry needs atomicWithCaller inside a transaction');
  }
  const { sql, params } = entryStatement(kind, direction, input);
  const savepoint = em.isInTransaction() && !input.atomicWithCaller;
  let rows: EntryRow[];
  try {
    rows = savepoint
      ? await em.transactional((inner) => sqlRows<EntryRow>(inner, sql, params))
      : await sqlRows<EntryRow>(em, sql, params);
  } catch (error) {
    // Without a savepoint the caller's transaction is aborted: nothing can be read in it any more.
    const recoverable = savepoint || !em.isInTransaction();
    if (
      recoverable &&
      error instanceof UniqueConstraintViolationException &&
      /idempotency_key/.test(error.message)
    ) {
      return replay(em, kind, direction, input);
    }
    throw error;
  }
  const row = rows[0];
  if (row) {
    const delta = direction === 'debit' ? -input.amount : input.amount;
    return {
      entryId: row.id,
      accountId: row.account_id,
      delta,
      balanceAfter: Number(row.balance_after),
      replayed: false,
    };
  }
  // No row: the key may already be applied (a retry after the money was spent), else the account is missing or short.
  const earlier = await findEntry(em, kind, input.idempotencyKey);
  if (earlier) return compareReplay(kind, direction, input, earlier);
  throw await refusal(em, kind, input);
}

interface StoredEntry {
  id: string;
  account_id: string;
  user_id: string;
  type: string;
  delta: string | number;
  balance_after: string | number;
  reference_type: string | null;
  reference_id: string | null;
}

async function findEntry(em: EntityManager, kind: LedgerKind, key: string): Promise<StoredEntry | undefined> {
  const t = kind === 'wallet' ? WALLET : POINTS;
  const rows = await sqlRows<StoredEntry>(
    em,
    `select id, ${t.accountFk} as account_id, user_id, type, ${t.amountColumn} as delta, balance_after, ` +
      `reference_type, reference_id from "${t.entries}" where idempotency_key = $1`,
    [key],
  );
  return rows[0];
}

async function replay(
  em: EntityManager,
  kind: LedgerKind,
  direction: 'debit' | 'credit',
  input: EntryInput<string>,
): Promise<EntryResult> {
  const earlier = await findEntry(em, kind, input.idempotencyKey);
  if (!earlier) throw new DomainError('CONFLICT', 'idempotency key in use by a concurrent request; retry');
  return compareReplay(kind, direction, input, earlier);
}

/**
 * The stored ledger row is the request's fingerprint: account owner, type,
 * signed amount and reference are every field that decides the effect, so a
 * retry is "the same request" exactly when they match (a separate hash column
 * would only repeat them).
 */
function compareReplay(
  kind: LedgerKind,
  direction: 'debit' | 'credit',
  input: EntryInput<string>,
  earlier: StoredEntry,
): EntryResult {
  const delta = direction === 'debit' ? -input.amount : input.amount;
  const same =
    earlier.user_id === input.userId &&
    earlier.type === input.type &&
    Number(earlier.delta) === delta &&
    earlier.reference_type === (input.reference?.type ?? null) &&
    earlier.reference_id === (input.reference?.id ?? null);
  if (!same) {
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different request', {
      kind,
      idempotencyKey: input.idempotencyKey,
    });
  }
  return {
    entryId: earlier.id,
    accountId: earlier.account_id,
    delta,
    balanceAfter: Number(earlier.balance_after),
    replayed: true,
  };
}

async function refusal(em: EntityManager, kind: LedgerKind, input: EntryInput<string>): Promise<DomainError> {
  const t = kind === 'wallet' ? WALLET : POINTS;
  const rows = await sqlRows<{ spendable: string | number }>(
    em,
    `select ${t.spendable} as spendable from "${t.account}" where user_id = $1`,
    [input.userId],
  );
  const account = rows[0];
  if (!account) return new DomainError('NOT_FOUND', `no ${kind} account for this user`);
  return insufficientFunds(kind, input.amount, Number(account.spendable));
}
