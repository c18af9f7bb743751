import { adminRouter } from '../modules/admin/admin.router.ts';
import { appRouter } from '../modules/app/app.router.ts';
import { authRouter } from '../modules/auth/auth.router.ts';
import { contentRouter } from '../modules/content/content.router.ts';
import { engagementRouter } from '../modules/engagement/engagement.router.ts';
import { kycRouter } from '../modules/kyc/kyc.router.ts';
import { marketRouter } from '../modules/market/market.router.ts';
import { notificationsRouter } from '../modules/notifications/notifications.router.ts';
import { paymentRouter } from '../modules/payment/payment.router.ts';
import { profileRouter } from '../modules/profile/profile.router.ts';
import { promotionsRouter } from '../modules/promotions/promotions.router.ts';
import { referralRouter } from '../modules/referral/referral.router.ts';
import { rentalsRouter } from '../modules/rentals/rentals.router.ts';
import { stationsRouter } from '../modules/stations/stations.router.ts';
import { walletRouter } from '../modules/wallet/wallet.router.ts';
import { router } from './trpc.ts';

export const rootRouter = router({
  app: appRouter,
  auth: authRouter,
  kyc: kycRouter,
  profile: profileRouter,
  admin: adminRouter,
  content: contentRouter,
  stations: stationsRouter,
  payment: paymentRouter,
  wallet: walletRouter,
  rentals: rentalsRouter,
  engagement: engagementRouter,
  referral: referralRouter,
  promotions: promotionsRouter,
  notifications: notificationsRouter,
  market: marketRouter,
});

/** The type TypeScript clients import (through @powerbank/api-client). */
export type RootRouter = typeof rootRouter;
