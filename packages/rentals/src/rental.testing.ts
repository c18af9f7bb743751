import type { EntityManager } from '@mikro-orm/postgresql';
import { PowerBank, Rental, RentalPackage, type Station, User, UserPoints, Wallet } from '@powerbank/db';
import { anyRow } from '@powerbank/testing';

/** Test rows (not flushed): an active user with wallet and points accounts. */
export function aRenter(em: EntityManager, wallet: Partial<Wallet> = {}): User {
  const user = anyRow(em, User, { status: 'active' });
  em.create(Wallet, { user, currency: 'USD', ...wallet });
  em.create(UserPoints, { user });
  return user;
}

/**
 * Test rows (not flushed): a rental of an hour's prepaid package (100), paid and nothing owed,
 * holding a power bank priced 5,000, started `startedAt` — in `status` (active unless said).
 */
export function aPrepaidRental(
  em: EntityManager,
  at: { user: User; station: Station; startedAt: Date; status?: Rental['status']; paid?: 'wallet' },
): Rental {
  const pkg = anyRow(em, RentalPackage, {
    paymentModel: 'prepaid',
    durationMinutes: 60,
    price: 100,
    perMinuteRate: 0,
    depositAmount: 0,
  });
  return anyRow(em, Rental, {
    user: at.user,
    package: pkg,
    status: at.status ?? 'active',
    powerBank: anyRow(em, PowerBank, { price: 5_000 }),
    startStation: at.station,
    prepaidAmount: 100,
    walletPaid: at.paid === 'wallet' ? 100 : 0,
    pointsPaid: 0,
    heldAmount: 0,
    dueAmount: 0,
    startedAt: at.startedAt,
    dueAt: new Date(at.startedAt.getTime() + 60 * 60_000),
  });
}
