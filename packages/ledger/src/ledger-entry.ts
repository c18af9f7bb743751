import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type DB,
  type Kysely,
  literal,
  now,
  type POINTS_TX_TYPES,
  type Prepared,
  prepared,
  type QueryCreator,
  runPrepared,
  type SELLER_ENTRY_TYPES,
  type Statement,
  sql,
  statementOf,
  textWith,
  type WALLET_TX_TYPES,
} from '@powerbank/db';
import { assertPositiveMinorUnits, DomainError, insufficientFunds, type LedgerKind } from '@powerbank/domain';
import { uuidv7 } from 'uuidv7';
import { type PaymentRowParams, paymentRowValues } from './payment-row.ts';

export type WalletEntryType = (typeof WALLET_TX_TYPES)[number];
export type PointsEntryType = (typeof POINTS_TX_TYPES)[number];
export type SellerEntryType = (typeof SELLER_ENTRY_TYPES)[number];

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
   * The caller's payment row (`transactions`), written in the same statement ahead of the entry
   * as a data-modifying CTE — one round trip for both. Only with `atomicWithCaller`: the insert
   * runs even when the entry is refused, and the caller's transaction must then fail as a whole.
   */
  alongside?: PaymentRowParams;
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

/** What an entry binds: the change, the row's own values, the key. */
interface EntryParams {
  amount: number;
  /** Points only: what a credit adds to lifetime earned (0 for refunds and corrections). */
  earned: number;
  userId: string;
  entryId: string;
  type: string;
  /** Signed: negative for debits. */
  delta: number;
  referenceType: string | null;
  referenceId: string | null;
  /** Wallet only. */
  transactionId: string | null;
  idempotencyKey: string;
  description: string | null;
}

/** Points given back (a refund, a correction) are not "earned": lifetime totals drive loyalty tiers. */
const NOT_EARNED: readonly string[] = ['refund', 'adjustment'];

type Direction = 'debit' | 'credit';
/** The query an entry starts from: the builder, or one with the caller's row ahead (`alongside`). */
type Start = QueryCreator<DB>;
const sign = (direction: Direction) => (direction === 'debit' ? '-' : '+');

/** The columns both ledgers' rows have, and their values (the ledger's own follow them). */
const ENTRY_FIELDS = [
  'id',
  'user_id',
  'type',
  'reference_type',
  'reference_id',
  'idempotency_key',
  'description',
  'created_at',
] as const;
const entryValues = (p: EntryParams) =>
  [
    sql.val(p.entryId).as('id'),
    sql.val(p.userId).as('user_id'),
    sql.val(p.type).as('type'),
    sql.val(p.referenceType).as('reference_type'),
    sql.val(p.referenceId).as('reference_id'),
    sql.val(p.idempotencyKey).as('idempotency_key'),
    sql.val(p.description).as('description'),
    now().as('created_at'),
  ] as const;

/** The wallet's balance moved, as an entry's `a` CTE: a debit that cannot be afforded matches no row. */
const walletMove = (db: Start, p: EntryParams, direction: Direction) =>
  db
    .updateTable('wallet')
    .set((eb) => ({
      balance: eb('balance', sign(direction), p.amount),
      version: eb('version', '+', sql.lit(1)),
      updated_at: now(),
    }))
    .where('user_id', '=', p.userId)
    .$if(direction === 'debit', (qb) =>
      qb.where((eb) => eb(eb('balance', '-', eb.ref('held')), '>=', p.amount)),
    )
    .returning(['id', 'balance', 'currency']);

/** A statement with the wallet's move as its `a` CTE (`walletMove`). */
type AfterWalletMove = QueryCreator<
  DB & { a: Awaited<ReturnType<ReturnType<typeof walletMove>['executeTakeFirstOrThrow']>> }
>;

/** The wallet's ledger row, from the move's `a` CTE (no row when the move matched none). */
const walletRow = (db: AfterWalletMove, p: EntryParams) =>
  db
    .insertInto('wallet_transaction')
    .columns([...ENTRY_FIELDS, 'wallet_id', 'amount', 'balance_after', 'currency', 'transaction_id'])
    .expression((eb) =>
      eb
        .selectFrom('a')
        .select([
          ...entryValues(p),
          'a.id as wallet_id',
          sql.val(p.delta).as('amount'),
          'a.balance as balance_after',
          'a.currency',
          sql.val(p.transactionId).as('transaction_id'),
        ]),
    );

/**
 * One statement moves the balance and writes the ledger row: a data-modifying
 * CTE does the conditional update (`WHERE balance - held >= amount`, so a
 * debit that cannot be afforded matches no row and nothing changes) and the
 * INSERT takes `balance_after` from its RETURNING. Postgres runs a statement
 * atomically, so outside a transaction this is one round trip with no
 * explicit lock; a duplicate idempotency key fails the INSERT and with it the
 * UPDATE. See docs/benchmarks.md ("Ledger") for why not SELECT … FOR UPDATE.
 */
const walletEntry = (start: Start, p: EntryParams, direction: Direction) =>
  walletRow(
    start.with('a', (db) => walletMove(db, p, direction)),
    p,
  ).returning(['id', 'wallet_id as account_id', 'balance_after']);

/** The CTE of `withWalletPayment` a caller's statement reads: the debit's ledger row, if made. */
export type WalletPaymentCtes = { wallet_entry: { id: string } };

/** What a payment from the wallet binds as CTEs of a caller's statement (`withWalletPayment`). */
export type WalletPaymentParams = EntryParams & PaymentRowParams;

/**
 * A payment from the wallet alone as CTEs ahead of a caller's statement (one round trip for both):
 * its `transactions` row, the debit and its ledger row, which `wallet_entry` answers (one row when
 * the debit was made, none when the wallet could not afford it). As with `alongside`, only for a
 * payment `atomicWithCaller`: the row is inserted even when the debit is refused, so the caller
 * must then fail its transaction (`walletRefusal` says why). Bind it with `walletPaymentParams`.
 */
export const withWalletPayment = (db: Kysely<DB>, p: WalletPaymentParams) =>
  withPayment(db, p)
    .with('a', (qc) => walletMove(qc, p, 'debit'))
    .with('wallet_entry', (qc) => walletRow(qc, p).returning('id'));

/** `withWalletPayment`'s values for a payment of `payment` whose debit is `input`. */
export function walletPaymentParams(
  input: EntryInput<WalletEntryType>,
  payment: PaymentRowParams,
): WalletPaymentParams {
  assertPositiveMinorUnits(input.amount, 'amount');
  return { ...entryParams('wallet', 'debit', input), ...payment };
}

/** Why a wallet debit of `amount` matched no row: no wallet, or not enough in it (INSUFFICIENT_FUNDS). */
export const walletRefusal = (em: EntityManager, userId: string, amount: number): Promise<DomainError> =>
  refusal(em, 'wallet', { userId, amount });

/** The same for points: nothing is held, and a credit counts towards lifetime earned. */
const pointsEntry = (start: Start, p: EntryParams, direction: Direction) =>
  start
    .with('a', (db) =>
      db
        .updateTable('user_points')
        .set((eb) => ({
          balance: eb('balance', sign(direction), p.amount),
          ...(direction === 'credit' ? { lifetime_earned: eb('lifetime_earned', '+', p.earned) } : {}),
          version: eb('version', '+', sql.lit(1)),
          updated_at: now(),
        }))
        .where('user_id', '=', p.userId)
        .$if(direction === 'debit', (qb) => qb.where('balance', '>=', p.amount))
        .returning(['id', 'balance']),
    )
    .insertInto('points_transaction')
    .columns([...ENTRY_FIELDS, 'account_id', 'points', 'balance_after'])
    .expression((eb) =>
      eb
        .selectFrom('a')
        .select([
          ...entryValues(p),
          'a.id as account_id',
          sql.val(p.delta).as('points'),
          'a.balance as balance_after',
        ]),
    )
    .returning(['id', 'account_id', 'balance_after']);

/** The same for a seller's balance (marketplace payouts): nothing is held, nothing is earned. */
const sellerEntry = (start: Start, p: EntryParams, direction: Direction) =>
  start
    .with('a', (db) =>
      db
        .updateTable('seller_account')
        .set((eb) => ({
          balance: eb('balance', sign(direction), p.amount),
          version: eb('version', '+', sql.lit(1)),
          updated_at: now(),
        }))
        .where('user_id', '=', p.userId)
        .$if(direction === 'debit', (qb) => qb.where('balance', '>=', p.amount))
        .returning(['id', 'balance', 'currency']),
    )
    .insertInto('seller_account_entry')
    .columns([...ENTRY_FIELDS, 'account_id', 'amount', 'balance_after', 'currency'])
    .expression((eb) =>
      eb
        .selectFrom('a')
        .select([
          ...entryValues(p),
          'a.id as account_id',
          sql.val(p.delta).as('amount'),
          'a.balance as balance_after',
          'a.currency',
        ]),
    )
    .returning(['id', 'account_id', 'balance_after']);

const ENTRIES = { wallet: walletEntry, points: pointsEntry, seller: sellerEntry };

/** The caller's payment row ahead of the entry, as a data-modifying CTE (see `alongside`). */
const withPayment = (db: Kysely<DB>, p: PaymentRowParams) =>
  db.with('p', (qc) => qc.insertInto('transactions').values(paymentRowValues(p))) as unknown as Start;

// Compiled on first use, then reused: one per ledger, direction, and with or without a payment row.
const compiled = new Map<string, Prepared<EntryParams & Partial<PaymentRowParams>, EntryRow>>();

function entryQuery(kind: LedgerKind, direction: Direction, alongside: boolean) {
  const name = `${kind}:${direction}:${alongside}`;
  let query = compiled.get(name);
  if (!query) {
    query = prepared((db, p: EntryParams & PaymentRowParams) =>
      ENTRIES[kind](alongside ? withPayment(db, p) : db, p, direction),
    ) as Prepared<EntryParams & Partial<PaymentRowParams>, EntryRow>;
    compiled.set(name, query);
  }
  return query;
}

function entryParams(kind: LedgerKind, direction: Direction, input: EntryInput<string>): EntryParams {
  const earns = direction === 'credit' && kind === 'points' && !NOT_EARNED.includes(input.type);
  return {
    amount: input.amount,
    earned: earns ? input.amount : 0,
    userId: input.userId,
    entryId: uuidv7(),
    type: input.type,
    delta: direction === 'debit' ? -input.amount : input.amount,
    referenceType: input.reference?.type ?? null,
    referenceId: input.reference?.id ?? null,
    transactionId: input.transactionId ?? null,
    idempotencyKey: input.idempotencyKey,
    description: input.description ?? null,
  };
}

/**
 * One entry's compiled statement as text, for the benchmark's pgbench script: `texts` in place of
 * the parameters it names (pgbench variables and expressions), every other value inlined by the
 * one `literal` — the statement the service sends, not a copy of it.
 */
export function entryText(
  kind: LedgerKind,
  direction: Direction,
  input: EntryInput<string>,
  texts: { [K in keyof EntryParams]?: string },
): string {
  const params = entryParams(kind, direction, input);
  const inlined = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, literal(value)]));
  return textWith(entryQuery(kind, direction, false), { ...inlined, ...texts });
}

/**
 * A points credit as statements of the caller's batch of blind writes (`sqlBatch`, sent with the
 * caller's own last write: no round trip of its own), for a credit `atomicWithCaller` whose result
 * the caller does not read. A batch answers nothing, so the credit is followed by a check that its
 * row was written (`POINTS_ENTRY_WRITTEN`): when no account matched, the check fails the batch and
 * with it the caller's transaction, as `applyEntry`'s refusal would.
 */
export function pointsCreditStatements(input: EntryInput<PointsEntryType>): Statement[] {
  assertPositiveMinorUnits(input.amount, 'points');
  return [
    statementOf(entryQuery('points', 'credit', false), entryParams('points', 'credit', input)),
    statementOf(POINTS_ENTRY_WRITTEN, { key: input.idempotencyKey }),
  ];
}

/**
 * Fails unless the points entry of `key` exists: its text is cast to an integer, which only `1`
 * survives (the error names what is missing). Prepared, for the raw script's text.
 */
export const POINTS_ENTRY_WRITTEN = prepared((db, p: { key: string }) =>
  db
    .selectFrom('points_transaction')
    .select(
      sql<number>`cast(case when count(*) = 1 then '1' else 'no points account for this credit' end as int)`.as(
        'written',
      ),
    )
    .where('idempotency_key', '=', p.key),
);

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
  assertPositiveMinorUnits(input.amount, kind === 'points' ? 'points' : 'amount');
  if (input.alongside && !(input.atomicWithCaller && em.isInTransaction())) {
    throw new Error('a row alongside an entry needs atomicWithCaller inside a transaction');
  }
  const query = entryQuery(kind, direction, input.alongside !== undefined);
  const params = { ...entryParams(kind, direction, input), ...input.alongside };
  const savepoint = em.isInTransaction() && !input.atomicWithCaller;
  let rows: EntryRow[];
  try {
    rows = savepoint
      ? await em.transactional((inner) => runPrepared(inner, query, params))
      : await runPrepared(em, query, params);
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

const FIND_ENTRY = {
  wallet: prepared((db, p: { key: string }) =>
    db
      .selectFrom('wallet_transaction')
      .select([
        'id',
        'wallet_id as account_id',
        'user_id',
        'type',
        'amount as delta',
        'balance_after',
        'reference_type',
        'reference_id',
      ])
      .where('idempotency_key', '=', p.key),
  ),
  points: prepared((db, p: { key: string }) =>
    db
      .selectFrom('points_transaction')
      .select([
        'id',
        'account_id',
        'user_id',
        'type',
        'points as delta',
        'balance_after',
        'reference_type',
        'reference_id',
      ])
      .where('idempotency_key', '=', p.key),
  ),
  seller: prepared((db, p: { key: string }) =>
    db
      .selectFrom('seller_account_entry')
      .select([
        'id',
        'account_id',
        'user_id',
        'type',
        'amount as delta',
        'balance_after',
        'reference_type',
        'reference_id',
      ])
      .where('idempotency_key', '=', p.key),
  ),
};

type StoredEntry = typeof FIND_ENTRY.wallet.row | typeof FIND_ENTRY.points.row | typeof FIND_ENTRY.seller.row;

async function findEntry(em: EntityManager, kind: LedgerKind, key: string): Promise<StoredEntry | undefined> {
  const rows: StoredEntry[] = await runPrepared(em, FIND_ENTRY[kind] as typeof FIND_ENTRY.wallet, { key });
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

const SPENDABLE = {
  wallet: prepared((db, p: { userId: string }) =>
    db
      .selectFrom('wallet')
      .select((eb) => eb('balance', '-', eb.ref('held')).as('spendable'))
      .where('user_id', '=', p.userId),
  ),
  points: prepared((db, p: { userId: string }) =>
    db.selectFrom('user_points').select('balance as spendable').where('user_id', '=', p.userId),
  ),
  seller: prepared((db, p: { userId: string }) =>
    db.selectFrom('seller_account').select('balance as spendable').where('user_id', '=', p.userId),
  ),
};

async function refusal(
  em: EntityManager,
  kind: LedgerKind,
  input: Pick<EntryInput<string>, 'userId' | 'amount'>,
): Promise<DomainError> {
  const [account] = await runPrepared(em, SPENDABLE[kind], input);
  if (!account) return new DomainError('NOT_FOUND', `no ${kind} account for this user`);
  return insufficientFunds(kind, input.amount, Number(account.spendable));
}
