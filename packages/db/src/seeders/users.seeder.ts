import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import type { ADMIN_ROLES, MARKETPLACE_ROLES, POINTS_TX_TYPES, WALLET_TX_TYPES } from '../entities/enums.ts';
import {
  AdminProfile,
  PointsTransaction,
  User,
  UserPoints,
  UserProfile,
  UserRole,
  Wallet,
  WalletTransaction,
} from '../entities/index.ts';
import { type LedgerEntry, runLedger } from './support/ledger.ts';

interface DemoUser {
  phone: string;
  email: string;
  fullName: string;
  referralCode: string;
  roles: readonly (typeof MARKETPLACE_ROLES)[number][];
  adminRole?: (typeof ADMIN_ROLES)[number];
  /** Profile filled in, so the profile bonus was given. */
  profileCompleted: boolean;
  wallet: readonly LedgerEntry<(typeof WALLET_TX_TYPES)[number]>[];
  points: readonly LedgerEntry<(typeof POINTS_TX_TYPES)[number]>[];
}

const SIGNUP_BONUS = { type: 'signup_bonus', amount: 50, description: 'Welcome bonus' } as const;
const PROFILE_BONUS = { type: 'profile_bonus', amount: 20, description: 'Profile completed' } as const;
/** What Bob's demo booking of the camera kit cost (2 days × 45.00, no tax). */
export const DEMO_BOOKING_CHARGE = 9000;

/** The demo accounts; log in with the phone number (OTP) or, for admin tools, the email. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    phone: '+14155550100',
    email: 'admin@powerbank.example.com',
    fullName: 'Demo Admin',
    referralCode: 'DEMOADMIN',
    roles: ['admin'],
    adminRole: 'super_admin',
    profileCompleted: false,
    wallet: [],
    points: [SIGNUP_BONUS],
  },
  {
    phone: '+14155550101',
    email: 'alice@example.com',
    fullName: 'Alice Rivera',
    referralCode: 'DEMOALICE',
    roles: ['customer'],
    profileCompleted: true,
    wallet: [{ type: 'adjustment', amount: 10_000, description: 'Demo starting balance' }],
    points: [SIGNUP_BONUS, PROFILE_BONUS],
  },
  {
    phone: '+14155550102',
    email: 'bob@example.com',
    fullName: 'Bob Chen',
    referralCode: 'DEMOBOB',
    roles: ['customer'],
    profileCompleted: false,
    // Bob paid for the marketplace's demo booking (MarketplaceSeeder).
    wallet: [
      { type: 'adjustment', amount: 20_000, description: 'Demo starting balance' },
      { type: 'order_payment', amount: -DEMO_BOOKING_CHARGE, description: 'Marketplace rental' },
    ],
    points: [SIGNUP_BONUS],
  },
  {
    phone: '+14155550103',
    email: 'seller@example.com',
    fullName: 'Bay Gear Rentals',
    referralCode: 'DEMOSELLER',
    roles: ['seller', 'customer'],
    profileCompleted: true,
    wallet: [],
    points: [SIGNUP_BONUS, PROFILE_BONUS],
  },
  {
    phone: '+14155550104',
    email: 'outdoor@example.com',
    fullName: 'Peak Outdoor Co',
    referralCode: 'DEMOOUTDOOR',
    roles: ['seller', 'customer'],
    profileCompleted: true,
    wallet: [],
    points: [SIGNUP_BONUS],
  },
];

export const DEMO_SELLER_PHONE = '+14155550103';
export const DEMO_OUTDOOR_SELLER_PHONE = '+14155550104';
export const DEMO_BOOKER_PHONE = '+14155550102';

/**
 * Demo accounts, each created whole (user, profile, wallet, points, ledger,
 * roles, admin profile) in one flush, as registration does; an account that
 * already exists is left as it is.
 */
export class UsersSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    const existing = await em.find(User, { phone: { $in: DEMO_USERS.map((u) => u.phone) } });
    const present = new Set(existing.map((u) => u.phone));
    for (const spec of DEMO_USERS) {
      if (!present.has(spec.phone)) createDemoUser(em, spec);
    }
    await em.flush();
  }
}

function createDemoUser(em: EntityManager, spec: DemoUser): void {
  const [firstName = null, lastName = null] = spec.fullName.split(' ');
  const user = em.create(User, {
    phone: spec.phone,
    email: spec.email,
    fullName: spec.fullName,
    countryCode: 'US',
    referralCode: spec.referralCode,
  });
  em.create(UserProfile, {
    user,
    firstName,
    lastName,
    city: 'San Francisco',
    completedAt: spec.profileCompleted ? new Date('2026-11-01T00:00:00Z') : null,
  });
  // Seeded roles are approved ones (a seller's application already accepted).
  for (const role of spec.roles)
    em.create(UserRole, { user, role, approvedAt: new Date('2026-11-01T00:00:00Z') });
  if (spec.adminRole) em.create(AdminProfile, { user, role: spec.adminRole, displayName: spec.fullName });

  const idempotencyKey = (ledger: string, i: number) => `seed:demo:${spec.referralCode}:${ledger}:${i}`;
  const money = runLedger(spec.wallet);
  const wallet = em.create(Wallet, { user, balance: money.balance, currency: 'USD' });
  for (const [i, row] of money.rows.entries()) {
    em.create(WalletTransaction, {
      wallet,
      user,
      ...row,
      currency: 'USD',
      idempotencyKey: idempotencyKey('wallet', i),
    });
  }
  const points = runLedger(spec.points);
  const account = em.create(UserPoints, { user, balance: points.balance, lifetimeEarned: points.earned });
  for (const [i, { amount, ...row }] of points.rows.entries()) {
    em.create(PointsTransaction, {
      account,
      user,
      ...row,
      points: amount,
      idempotencyKey: idempotencyKey('points', i),
    });
  }
}
