import type { EntityManager } from '@mikro-orm/postgresql';
import { prepared, runPrepared } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { type PaymentConfig, paymentConfigOf } from '@powerbank/ledger';
import { appConfigValues, type LazyEntityManager } from '../../platform/app-config.ts';
import type { StaticCache } from '../../platform/static-cache.ts';

/** A user's wallet and points account as the wallet screens and payment options read them. */
export interface Balances {
  currency: string;
  /** Minor units. */
  balance: number;
  /** Minor units set aside (holds): not spendable. */
  held: number;
  points: number;
  lifetimeEarned: number;
}

/**
 * Both accounts in one round trip, nothing hydrated: these reads run on every wallet screen
 * and every calculate-options (two entity loads cost about three times the Node CPU).
 */
const BALANCES = prepared((db, p: { userId: string }) =>
  db
    .selectFrom('wallet as w')
    .innerJoin('user_points as p', 'p.user_id', 'w.user_id')
    .select(['w.currency', 'w.balance', 'w.held', 'p.balance as points', 'p.lifetime_earned'])
    .where('w.user_id', '=', p.userId),
);

/** The user's balances; NOT_FOUND when either account is missing. */
export async function readBalances(em: EntityManager, userId: string): Promise<Balances> {
  const [row] = await runPrepared(em, BALANCES, { userId });
  if (!row) throw new DomainError('NOT_FOUND', 'no wallet for this user');
  return {
    currency: row.currency,
    balance: Number(row.balance),
    held: Number(row.held),
    points: Number(row.points),
    lifetimeEarned: Number(row.lifetime_earned),
  };
}

/**
 * The payment settings through the static cache (AppConfig is invalidated on every write), for
 * reads that only show figures; a payment reads them in its own transaction (`readPaymentConfig`).
 */
export async function cachedPaymentConfig(em: LazyEntityManager, cache: StaticCache): Promise<PaymentConfig> {
  return paymentConfigOf(await appConfigValues(em, cache));
}
