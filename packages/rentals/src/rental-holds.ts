import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@powerbank/domain';
import { holdWallet, releaseHold } from '@powerbank/ledger';
import { refusedForFunds } from './insufficient-funds.ts';
import type { RentalConfig } from './rental-config.ts';
import type { PackageRecord, RentalRecord } from './rental-record.ts';

/** What a hold needs of a rental; the rental logic keeps `heldAmount` up to date on it. */
type HoldingRental = Pick<RentalRecord, 'id' | 'userId' | 'heldAmount'>;

/** What a postpaid start sets aside: the package's deposit, or AppConfig's postpaid minimum when it has none. */
export function postpaidDeposit(
  pkg: Pick<PackageRecord, 'paymentModel' | 'depositAmount'>,
  config: RentalConfig,
): number {
  if (pkg.paymentModel !== 'postpaid') return 0;
  return pkg.depositAmount > 0 ? pkg.depositAmount : config.postpaid_min_balance;
}

const holdKey = (rental: HoldingRental) => `rental:${rental.id}:hold`;
const ref = (rental: HoldingRental) => ({ type: 'rental', id: rental.id });

/**
 * Holds a postpaid rental's deposit in the caller's transaction and records it
 * on the rental (`held_amount`), which is what makes it happen once: a rental
 * that already holds something is left alone. With `required`, a wallet that
 * cannot cover it refuses the start with PAYMENT_REQUIRED; otherwise (a late
 * dispense success after the hold went back) the rental goes on unheld.
 */
export async function holdDeposit(
  em: EntityManager,
  rental: HoldingRental,
  amount: number,
  required: boolean,
): Promise<void> {
  if (amount <= 0 || rental.heldAmount > 0) return;
  const refused = await refusedForFunds(() =>
    holdWallet(em, {
      userId: rental.userId,
      amount,
      idempotencyKey: holdKey(rental),
      reference: ref(rental),
    }),
  );
  if (refused) {
    if (!required) return;
    const available = Number((refused.details as { available?: number } | undefined)?.available ?? 0);
    throw new DomainError('PAYMENT_REQUIRED', 'a postpaid rental needs a minimum wallet balance', {
      required: amount,
      available,
      missing: amount - available,
    });
  }
  rental.heldAmount = amount;
}

/**
 * Gives a rental's hold back, once: the rental row is locked by the caller and
 * `held_amount` goes to 0 in the same transaction as `wallet.held`.
 */
export async function releaseDeposit(em: EntityManager, rental: HoldingRental): Promise<void> {
  if (rental.heldAmount <= 0) return;
  await releaseHold(em, {
    userId: rental.userId,
    amount: rental.heldAmount,
    idempotencyKey: `rental:${rental.id}:release`,
    reference: ref(rental),
  });
  rental.heldAmount = 0;
}
