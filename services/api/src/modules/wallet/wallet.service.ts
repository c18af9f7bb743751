import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { PointsTransaction, UserPoints, Wallet, WalletTransaction } from '@powerbank/db';
import { DomainError, formatMoney, pointsToMinor } from '@powerbank/domain';
import { loyaltyStanding, loyaltyTiersOf } from '@powerbank/engagement';
import { pointsRatio, readPaymentConfig } from '@powerbank/ledger';
import { appConfigValues } from '../../platform/app-config.ts';
import { cursorPageOf, offsetOf } from '../../platform/pagination.ts';
import type { StaticCache } from '../../platform/static-cache.ts';
import type {
  PointsHistoryInput,
  PointsHistoryOutput,
  PointsSummaryOutput,
  TransactionsInput,
  TransactionsOutput,
  WalletOutput,
} from './wallet.schemas.ts';

async function accounts(em: EntityManager, userId: string) {
  const [wallet, points] = await Promise.all([
    em.findOne(Wallet, { user: userId }),
    em.findOne(UserPoints, { user: userId }),
  ]);
  if (!wallet || !points) throw new DomainError('NOT_FOUND', 'no wallet for this user');
  return { wallet, points };
}

/**
 * The loyalty tier from lifetime points over the thresholds in `AppConfig` (static cache), computed on
 * each read: a threshold an admin changes shows at once (the stored `tier` column is the job's copy).
 */
async function loyaltyOf(em: EntityManager, cache: StaticCache, points: UserPoints) {
  const standing = loyaltyStanding(points.lifetimeEarned, loyaltyTiersOf(await appConfigValues(em, cache)));
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
  const [{ wallet, points }, config] = await Promise.all([accounts(em, userId), readPaymentConfig(em)]);
  const money = (value: number) => formatMoney(value, wallet.currency);
  return {
    wallet: {
      balance: money(wallet.balance),
      held: money(wallet.held),
      available: money(wallet.balance - wallet.held),
    },
    points: {
      balance: points.balance,
      value: money(pointsToMinor(points.balance, pointsRatio(config, wallet.currency))),
      lifetime_earned: points.lifetimeEarned,
      ...(await loyaltyOf(em, cache, points)),
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
  const [{ wallet, points }, config, byType] = await Promise.all([
    accounts(em, userId),
    readPaymentConfig(em),
    em.execute<{ type: string; points: string; count: string }[]>(
      'select type, sum(points) as points, count(*) as count from points_transaction where user_id = ? group by type order by type',
      [userId],
    ),
  ]);
  const spent = byType.reduce((sum, row) => sum + Math.min(0, Number(row.points)), 0);
  return {
    balance: points.balance,
    value: formatMoney(pointsToMinor(points.balance, pointsRatio(config, wallet.currency)), wallet.currency),
    lifetime_earned: points.lifetimeEarned,
    total_spent: -spent,
    ...(await loyaltyOf(em, cache, points)),
    points_per_currency_unit: config.points_per_currency_unit,
    by_type: byType.map((row) => ({
      type: row.type as PointsSummaryOutput['by_type'][number]['type'],
      points: Number(row.points),
      count: Number(row.count),
    })),
  };
}
