import type { EntityManager } from '@mikro-orm/postgresql';
import { RentalPackage } from '@powerbank/db';

/** A rental package for tests: one hour prepaid at 8.00, 0.10/min overage, unless `extra` says otherwise. */
export function aRentalPackage(
  em: EntityManager,
  code: string,
  extra: Partial<RentalPackage> = {},
): RentalPackage {
  return em.create(RentalPackage, {
    code,
    name: code,
    durationMinutes: 60,
    price: 800,
    perMinuteRate: 10,
    currency: 'USD',
    ...extra,
  });
}
