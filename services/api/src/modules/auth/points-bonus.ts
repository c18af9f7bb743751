import type { EntityManager } from '@mikro-orm/postgresql';
import type { POINTS_TX_TYPES } from '@powerbank/db';
import { ledger } from '@powerbank/ledger';

export interface Bonus {
  type: (typeof POINTS_TX_TYPES)[number];
  points: number;
  /** Unique in the ledger: the same bonus can never be given twice (a repeat is a no-op). */
  idempotencyKey: string;
  description: string;
}

/**
 * A one-off bonus (signup, profile, KYC) through the ledger, so the balance and
 * its ledger row change together. The user's points account must already be
 * flushed. A bonus configured to 0 is skipped. Returns whether points were given now.
 */
export async function awardBonus(em: EntityManager, userId: string, bonus: Bonus): Promise<boolean> {
  if (bonus.points <= 0) return false;
  const result = await ledger.creditPoints(em, {
    userId,
    amount: bonus.points,
    type: bonus.type,
    idempotencyKey: bonus.idempotencyKey,
    reference: { type: 'user', id: userId },
    description: bonus.description,
  });
  return !result.replayed;
}
