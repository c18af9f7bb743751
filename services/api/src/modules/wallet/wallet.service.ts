import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { PointsTransaction, prepared, runPrepared, WalletTransaction } from '@powerbank/db';
import { formatMoney, pointsToMinor } from '@powerbank/domain';
import { loyaltyStanding, loyaltyTiersOf } from '@powerbank/engagement';
import { pointsRatio } from '@powerbank/ledger';
import { appConfigValues } from '../../platform/app-config.ts';
import { cursorPageOf, offsetOf } from '../../platform/pagination.ts';
import type { StaticCache } from '../../platform/static-cache.ts';
import { cachedPaymentConfig, readBalances } from './balances.ts';
import type {
  PointsHistoryInput,
  PointsHistoryOutput,
  PointsSummaryOutput,
  TransactionsInput,
  TransactionsOutput,
  WalletOutput,
} from './wallet.schemas.ts';

/** Points by transaction type: what the summary shows as earned and spent. */
const POINTS_BY_TYPE = prepared((db, p: { userId: string }) =>
  db
    .selectFrom('points_transaction')
    .select((eb) => ['type', eb.fn.sum<string>('points').as('points'), eb.fn.countAll<string>().as('count')])
    .where('user_id', '=', p.userId)
    .groupBy('type')
    .orderBy('type'),
);

/**
 * The loyalty tier from lifetime points over the thresholds in `AppConfig` (static cache), computed on
 * each read: a threshold an admin changes shows at once (the stored `tier` column is the job's copy).
 */
async function loyaltyOf(em: EntityManager, cache: StaticCache, lifetimeEarned: number) {
  const standing = loyaltyStanding(lifetimeEarned, loyaltyTiersOf(await appConfigValues(em, cache)));
  const next = standing.next;
  return {
    tier: standing.tier,
    next_tier: next
      ? { tier: next.tier, min_points: next.minPoints, points_needed: next.pointsNeeded }
      : null,
  };
}

export async function getWallet(
  em: EntityManager,
  cache: StaticCache,
  userId: string,
): Promise<WalletOutput> {
  const [account, config] = await Promise.all([readBalances(em, userId), cachedPaymentConfig(em, cache)]);
  const money = (value: number) => formatMoney(value, account.currency);
  return {
    wallet: {
      balance: money(account.balance),
      held: money(account.held),
      available: money(account.balance - account.held),
    },
    points: {
      balance: account.points,
      value: money(pointsToMinor(account.points, pointsRatio(config, account.currency))),
      lifetime_earned: account.lifetimeEarned,
      ...(await loyaltyOf(em, cache, account.lifetimeEarned)),
    },
  };
}

type HistoryInput = TransactionsInput | PointsHistoryInput;

/** Filters shared by both ledgers; `column` is the signed amount column. */
function historyWhere(userId: string, input: HistoryInput, column: 'amount' | 'points') {
  const where: Record<string, unknown> = { user: userId };
  if (input.type) where.type = input.type;
  if (input.direction) where[column] = input.direction === 'credit' ? { $gt: 0 } : { $lt: 0 };
  if (input.from || input.to) {
    where.createdAt = { ...(input.from ? { $gte: input.from } : {}), ...(input.to ? { $lt: input.to } : {}) };
  }
  return where;
}

/**
 * Newest first. With a cursor, keyset pagination (`id < cursor`: ids are
 * UUIDv7, time-ordered), so deep pages cost what the first does; without,
 * `page`. The total is counted either way (one index range per user).
 */
async function history<T extends WalletTransaction | PointsTransaction>(
  em: EntityManager,
  entity: new (...args: never[]) => T,
  where: Record<string, unknown>,
  input: HistoryInput,
) {
  const paged = input.cursor ? { ...where, id: { $lt: input.cursor } } : where;
  const [rows, total] = await Promise.all([
    em.find(entity, paged as FilterQuery<T>, {
      orderBy: { id: 'desc' } as never,
      limit: input.page_size + 1,
      offset: input.cursor ? 0 : offsetOf(input),
    }),
    em.count(entity, where as FilterQuery<T>),
  ]);
  return cursorPageOf(rows, input, total);
}

export async function listWalletTransactions(
  em: EntityManager,
  userId: string,
  input: TransactionsInput,
): Promise<TransactionsOutput> {
  const page = await history(em, WalletTransaction, historyWhere(userId, input, 'amount'), input);
  return {
    pagination: page.pagination,
    results: page.results.map((row) => ({
      id: row.id,
      type: row.type,
      amount: formatMoney(row.amount, row.currency),
      balance_after: formatMoney(row.balanceAfter, row.currency),
      reference_type: row.referenceType ?? null,
      reference_id: row.referenceId ?? null,
      transaction_id: row.transaction?.id ?? null,
      description: row.description ?? null,
      created_at: row.createdAt,
    })),
  };
}

export async function listPointsHistory(
  em: EntityManager,
  userId: string,
  input: PointsHistoryInput,
): Promise<PointsHistoryOutput> {
  const page = await history(em, PointsTransaction, historyWhere(userId, input, 'points'), input);
  return {
    pagination: page.pagination,
    results: page.results.map((row) => ({
      id: row.id,
      type: row.type,
      points: row.points,
      balance_after: row.balanceAfter,
      reference_type: row.referenceType ?? null,
      reference_id: row.referenceId ?? null,
      description: row.description ?? null,
      created_at: row.createdAt,
    })),
  };
}

export async function getPointsSummary(
  em: EntityManager,
  cache: StaticCache,
  userId: string,
): Promise<PointsSummaryOutput> {
  const [account, config, byType] = await Promise.all([
    readBalances(em, userId),
    cachedPaymentConfig(em, cache),
    runPrepared(em, POINTS_BY_TYPE, { userId }),
  ]);
  const spent = byType.reduce((sum, row) => sum + Math.min(0, Number(row.points)), 0);
  return {
    balance: account.points,
    value: formatMoney(
      pointsToMinor(account.points, pointsRatio(config, account.currency)),
      account.currency,
    ),
    lifetime_earned: account.lifetimeEarned,
    total_spent: -spent,
    ...(await loyaltyOf(em, cache, account.lifetimeEarned)),
    points_per_currency_unit: config.points_per_currency_unit,
    by_type: byType.map((row) => ({
      type: row.type as PointsSummaryOutput['by_type'][number]['type'],
      points: Number(row.points),
      count: Number(row.count),
    })),
  };
}
