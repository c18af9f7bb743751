import type { EntityManager } from '@mikro-orm/postgresql';
import type { RentalOrder } from '@powerbank/db';
import { creditSellerShare } from '@powerbank/market';

/**
 * What follows an order's completion, in the completing transition's transaction (`em`): the
 * seller's share — the order's revenue less the platform's commission — is credited to the
 * seller balance (`creditSellerShare`; keyed by the order, so a completion processed twice
 * credits once). Called by the transition that moves an order to `completed` (the return's
 * settlement, or an admin resolving a dispute).
 */
export async function onOrderCompleted(em: EntityManager, order: RentalOrder): Promise<void> {
  await creditSellerShare(em, order);
}
