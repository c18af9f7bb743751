// The marketplace's order transitions, its figures and its events log: shared by the api (the
// order endpoints) and the worker (the reservation-expiry job).

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
  type MarketConfig,
  readMarketConfig,
} from './market-config.ts';
export { listMarketEvents, marketEvent } from './market-events.ts';
export { orderNotice } from './order-notices.ts';
export {
  expireMarketReservations,
  lockCustomerOrder,
  type OrderPayment,
  transitionOrder,
} from './order-transitions.ts';
