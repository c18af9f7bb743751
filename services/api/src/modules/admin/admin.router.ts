import { router } from '../../trpc/trpc.ts';
import { adminAchievementsRouter, adminCouponsRouter } from '../admin-engagement/admin-engagement.router.ts';
import { adminFleetRouter } from '../admin-fleet/admin-fleet.router.ts';
import { adminPowerBanksRouter } from '../admin-fleet/admin-power-banks.router.ts';
import { analyticsRouter } from './analytics/index.ts';
import { adminCatalogueRouter } from './catalogue.router.ts';
import { adminIssuesRouter } from './issues.router.ts';
import { adminKycRouter } from './kyc-review.router.ts';
import { adminLiveRouter } from './live.router.ts';
import { adminRefundsRouter } from './refunds.router.ts';
import { adminRentalsRouter } from './rentals.router.ts';
import { adminSettingsRouter } from './settings.router.ts';
import { adminSystemRouter } from './system.router.ts';
import { adminUsersRouter } from './users.router.ts';

/**
 * The admin API (`admin.*` over tRPC, `/api/admin/...` over REST). Every procedure
 * is an `adminProcedure(roles)` (super_admin may call all); docs/admin.md keeps the
 * role × procedure matrix, and admin-roles.int.test.ts walks it.
 */
export const adminRouter = router({
  users: adminUsersRouter,
  rentals: adminRentalsRouter,
  kyc: adminKycRouter,
  refunds: adminRefundsRouter,
  issues: adminIssuesRouter,
  catalogue: adminCatalogueRouter,
  settings: adminSettingsRouter,
  system: adminSystemRouter,
  stations: adminFleetRouter,
  powerBanks: adminPowerBanksRouter,
  achievements: adminAchievementsRouter,
  coupons: adminCouponsRouter,
  analytics: analyticsRouter,
  live: adminLiveRouter,
});
