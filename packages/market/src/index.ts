// The marketplace's order transitions, its figures and its events log: shared by the api (the
// order endpoints) and the worker (the reservation-expiry job).

export { cancelMissedPickups, remindHandovers } from './handover-jobs.ts';
export {
  checkHandoverToken,
  type HandoverClaims,
  type HandoverKeys,
  handoverKeys,
  signHandoverToken,
  type TokenCheck,
  tokenDigest,
} from './handover-token.ts';
export {
  cancellationPolicy,
  MARKET_CONFIG_DEFAULTS,
  MARKET_CONFIG_KEYS,
  type MarketConfig,
  marketConfigOf,
  readMarketConfig,
} from './market-config.ts';
export { listMarketEvents, marketEvent } from './market-events.ts';
export { type OrderNotice, orderNotice } from './order-notices.ts';
export {
  expireMarketReservations,
  itemsRentedQuery,
  lockCustomerOrder,
  MARK_ITEMS_RENTED,
  type OrderPayment,
  PICKED_UP_NOTICE,
  transitionOrder,
} from './order-transitions.ts';
export {
  SCHEDULE_DEFAULTS,
  type ScheduleSettings,
  scheduleSettings,
  sellerScheduleSettings,
  slotProblem,
} from './schedule-settings.ts';
export { creditSellerShare, openSellerAccount, type SellerCredit } from './seller-balance.ts';
export {
  chargePeriod,
  periodKey,
  type RenewalOutcome,
  renewDueSubscriptions,
  renewSubscription,
} from './subscription-renewal.ts';
export { payOrderFromTopup } from './topup-payment.ts';
