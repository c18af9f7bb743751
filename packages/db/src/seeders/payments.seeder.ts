import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import { RentalPackage } from '../entities/index.ts';
import { seedMissing } from './support/seed-missing.ts';

/**
 * Prepaid packages charge `price` at start and `perMinuteRate` for overage;
 * the postpaid one charges minutes used × rate at return and needs
 * `depositAmount` (= AppConfig postpaid_min_balance) in the wallet to start.
 */
const RENTAL_PACKAGES = [
  {
    code: 'prepaid_1h',
    name: '1 hour',
    paymentModel: 'prepaid',
    durationMinutes: 60,
    price: 200,
    perMinuteRate: 4,
    depositAmount: 0,
  },
  {
    code: 'prepaid_3h',
    name: '3 hours',
    paymentModel: 'prepaid',
    durationMinutes: 180,
    price: 500,
    perMinuteRate: 3,
    depositAmount: 0,
  },
  {
    code: 'prepaid_1d',
    name: '1 day',
    paymentModel: 'prepaid',
    durationMinutes: 1440,
    price: 1500,
    perMinuteRate: 2,
    depositAmount: 0,
  },
  {
    code: 'postpaid_payg',
    name: 'Pay as you go',
    description: 'Pay per minute when you return it, up to 24 hours.',
    paymentModel: 'postpaid',
    durationMinutes: 1440,
    price: 0,
    perMinuteRate: 3,
    depositAmount: 5000,
  },
] as const;

/** Rental packages (the top-up methods come with the migrations: every deployment has them). */
export class PaymentsSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    await seedMissing(
      em,
      RentalPackage,
      RENTAL_PACKAGES.map((pkg, i) => ({ key: pkg.code, data: { ...pkg, currency: 'USD', sortOrder: i } })),
      (pkg) => pkg.code,
    );
    await em.flush();
  }
}
