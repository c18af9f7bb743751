export {
  type CaptureInput,
  type CaptureResult,
  captureHold,
  type HoldInput,
  type HoldResult,
  holdWallet,
  releaseHold,
} from './holds.ts';
export { ledger } from './ledger.ts';
export type {
  EntryInput,
  EntryReference,
  EntryResult,
  PointsEntryType,
  SellerEntryType,
  WalletEntryType,
  WalletPaymentCtes,
  WalletPaymentParams,
} from './ledger-entry.ts';
export {
  entryText,
  POINTS_ENTRY_WRITTEN,
  pointsCreditStatements,
  walletPaymentParams,
  walletRefusal,
  withWalletPayment,
} from './ledger-entry.ts';
export {
  type BalancePaymentType,
  decideFromRead,
  PAYMENT_READ,
  type PayFromBalancesInput,
  type PaymentRead,
  type PaymentResult,
  payFromBalances,
  paymentReadSelections,
  walletPaymentOf,
} from './pay.ts';
export {
  PAYMENT_CONFIG_DEFAULTS,
  PAYMENT_CONFIG_KEYS,
  type PaymentConfig,
  paymentConfigOf,
  pointsRatio,
  readPaymentConfig,
} from './payment-config.ts';
