/**
 * Every status/kind column's allowed values, defined once. Columns are
 * CHECK-constrained text (MikroORM's default for enums) rather than native
 * Postgres enums, so adding a value is a plain migration.
 */
export const USER_STATUSES = ['active', 'suspended', 'deleted'] as const;
export const KYC_STATUSES = ['pending', 'approved', 'rejected'] as const;
export const DEVICE_PLATFORMS = ['ios', 'android', 'web'] as const;
export const GENDERS = ['female', 'male', 'other', 'undisclosed'] as const;
export const MARKETPLACE_ROLES = ['customer', 'seller', 'admin'] as const;
export const ADMIN_ROLES = ['super_admin', 'operations', 'finance', 'support'] as const;

export const STATION_STATUSES = ['online', 'offline', 'maintenance', 'decommissioned'] as const;
export const SLOT_STATUSES = ['empty', 'charging', 'ready', 'ejecting', 'faulty', 'locked'] as const;
export const POWER_BANK_STATUSES = ['in_slot', 'rented', 'lost', 'faulty', 'retired', 'in_transit'] as const;
export const MEDIA_TYPES = ['image', 'video'] as const;
export const ISSUE_STATUSES = ['open', 'in_progress', 'resolved', 'rejected'] as const;

export const PACKAGE_PAYMENT_MODELS = ['prepaid', 'postpaid'] as const;
// Rental statuses are the rental machine's states, defined once in the domain.
export { OPEN_RENTAL_STATUSES, RENTAL_STATUSES } from '@powerbank/domain';
export const PAYMENT_MODES = ['wallet', 'points', 'wallet_points', 'split'] as const;

export const WALLET_TX_TYPES = [
  'topup',
  'rental_charge',
  'extension',
  'fine',
  'due_payment',
  'refund',
  'bonus',
  'coupon',
  'adjustment',
  'hold',
  'hold_release',
  'order_payment',
  'subscription',
] as const;
export const POINTS_TX_TYPES = [
  'signup_bonus',
  'profile_bonus',
  'kyc_bonus',
  'topup_reward',
  'rental_payment',
  'rental_reward',
  'timely_return',
  'referral',
  'coupon',
  'achievement',
  'refund',
  'adjustment',
  'order_payment',
  'subscription',
] as const;
export const TRANSACTION_TYPES = [
  'topup',
  'rental',
  'extension',
  'due',
  'fine',
  'refund',
  'order',
  'invoice',
  'subscription',
] as const;
export const TRANSACTION_STATUSES = ['pending', 'succeeded', 'failed', 'refunded', 'cancelled'] as const;
export const INTENT_STATUSES = ['created', 'pending', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export const GATEWAYS = ['sandbox', 'stripe', 'wallet', 'points'] as const;
export const REFUND_STATUSES = ['requested', 'approved', 'rejected', 'processed', 'failed'] as const;
export const WEBHOOK_STATUSES = ['received', 'processed', 'rejected', 'duplicate'] as const;

export const NOTIFICATION_CHANNELS = ['in_app', 'push', 'sms', 'email'] as const;
export const NOTIFICATION_STATUSES = ['scheduled', 'sent', 'delivered', 'read', 'failed'] as const;
export const DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'failed'] as const;
export const REFERRAL_STATUSES = ['pending', 'completed', 'rewarded', 'cancelled'] as const;
export const COUPON_KINDS = ['points', 'percent_discount', 'amount_discount'] as const;
export const LEADERBOARD_CATEGORIES = [
  'rentals',
  'points',
  'referrals',
  'timely_returns',
  'overall',
] as const;
export const LEADERBOARD_PERIODS = ['week', 'month', 'all_time'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export const UPLOAD_PURPOSES = [
  'kyc',
  'avatar',
  'station_issue',
  'rental_issue',
  'product',
  'other',
] as const;

export const PRICING_UNITS = ['hour', 'day', 'week', 'month'] as const;
export const INVENTORY_STATUSES = ['available', 'reserved', 'rented', 'maintenance', 'retired'] as const;
export { ORDER_STATUSES } from '@powerbank/domain';
export const INVOICE_STATUSES = ['draft', 'issued', 'partially_paid', 'paid', 'void', 'overdue'] as const;
export const SCHEDULE_TYPES = ['pickup', 'return'] as const;
export const SCHEDULE_STATUSES = ['proposed', 'confirmed'] as const;
/** A returned item as the seller's staff found it. */
export const RETURN_CONDITIONS = ['ok', 'damaged', 'missing'] as const;
export const ASSET_TYPES = ['image', '3d', 'ar'] as const;
export const SUBSCRIPTION_STATUSES = ['active', 'cancelled', 'expired'] as const;
/** A seller balance's movements: an order's revenue in, the platform's commission and payouts out. */
export const SELLER_ENTRY_TYPES = [
  'order_revenue',
  'commission',
  'payout',
  'payout_reversal',
  'adjustment',
] as const;
export const PAYOUT_STATUSES = ['requested', 'approved', 'rejected'] as const;
export const LOYALTY_TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;
