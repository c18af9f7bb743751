// Every entity, by domain folder. `entities` is what the ORM is configured with;
// the migration-drift test compares it with the migrations.

import { AdminActionLog } from './admin/admin-action-log.entity.ts';
import { AdminProfile } from './admin/admin-profile.entity.ts';
import { SystemLog } from './admin/system-log.entity.ts';
import { UserAuditLog } from './admin/user-audit-log.entity.ts';
import { AppConfig } from './content/app-config.entity.ts';
import { AppUpdate } from './content/app-update.entity.ts';
import { AppVersion } from './content/app-version.entity.ts';
import { Banner } from './content/banner.entity.ts';
import { ContactInfo } from './content/contact-info.entity.ts';
import { ContentPage } from './content/content-page.entity.ts';
import { Country } from './content/country.entity.ts';
import { Faq } from './content/faq.entity.ts';
import { MediaUpload } from './content/media-upload.entity.ts';
import { Achievement } from './engagement/achievement.entity.ts';
import { Coupon } from './engagement/coupon.entity.ts';
import { CouponUsage } from './engagement/coupon-usage.entity.ts';
import { Notification } from './engagement/notification.entity.ts';
import { NotificationDelivery } from './engagement/notification-delivery.entity.ts';
import { NotificationRule } from './engagement/notification-rule.entity.ts';
import { NotificationTemplate } from './engagement/notification-template.entity.ts';
import { Referral } from './engagement/referral.entity.ts';
import { SmsFcmLog } from './engagement/sms-fcm-log.entity.ts';
import { UserAchievement } from './engagement/user-achievement.entity.ts';
import { UserLeaderboard } from './engagement/user-leaderboard.entity.ts';
import { OAuthAccount } from './identity/oauth-account.entity.ts';
import { OtpChallenge } from './identity/otp-challenge.entity.ts';
import { RateLimitCounter } from './identity/rate-limit-counter.entity.ts';
import { User } from './identity/user.entity.ts';
import { UserDevice } from './identity/user-device.entity.ts';
import { UserKyc } from './identity/user-kyc.entity.ts';
import { UserProfile } from './identity/user-profile.entity.ts';
import { UserRole } from './identity/user-role.entity.ts';
import { UserSession } from './identity/user-session.entity.ts';
import { Category } from './marketplace/category.entity.ts';
import { HandoverQr } from './marketplace/handover-qr.entity.ts';
import { InventoryItem } from './marketplace/inventory-item.entity.ts';
import { Invoice } from './marketplace/invoice.entity.ts';
import { Product } from './marketplace/product.entity.ts';
import { ProductAsset } from './marketplace/product-asset.entity.ts';
import { ProductSearchTerm } from './marketplace/product-search-term.entity.ts';
import { RentalOrder } from './marketplace/rental-order.entity.ts';
import { RentalOrderItem } from './marketplace/rental-order-item.entity.ts';
import { Schedule } from './marketplace/schedule.entity.ts';
import { SellerAccount } from './marketplace/seller-account.entity.ts';
import { SellerAccountEntry } from './marketplace/seller-account-entry.entity.ts';
import { SellerPayout } from './marketplace/seller-payout.entity.ts';
import { SellerScheduleSettings } from './marketplace/seller-schedule-settings.entity.ts';
import { SellerStaff } from './marketplace/seller-staff.entity.ts';
import { SubscriptionPlan } from './marketplace/subscription-plan.entity.ts';
import { UserSubscription } from './marketplace/user-subscription.entity.ts';
import { PaymentIntent } from './payments/payment-intent.entity.ts';
import { PaymentMethod } from './payments/payment-method.entity.ts';
import { PaymentWebhook } from './payments/payment-webhook.entity.ts';
import { PointsTransaction } from './payments/points-transaction.entity.ts';
import { Refund } from './payments/refund.entity.ts';
import { Transaction } from './payments/transaction.entity.ts';
import { UserPoints } from './payments/user-points.entity.ts';
import { Wallet } from './payments/wallet.entity.ts';
import { WalletTransaction } from './payments/wallet-transaction.entity.ts';
import { Rental } from './rentals/rental.entity.ts';
import { RentalExtension } from './rentals/rental-extension.entity.ts';
import { RentalIssue } from './rentals/rental-issue.entity.ts';
import { RentalIssueMedia } from './rentals/rental-issue-media.entity.ts';
import { RentalLocation } from './rentals/rental-location.entity.ts';
import { RentalPackage } from './rentals/rental-package.entity.ts';
import { PowerBank } from './stations/power-bank.entity.ts';
import { Station } from './stations/station.entity.ts';
import { StationActorState } from './stations/station-actor-state.entity.ts';
import { StationAmenity } from './stations/station-amenity.entity.ts';
import { StationAmenityMapping } from './stations/station-amenity-mapping.entity.ts';
import { StationCommand } from './stations/station-command.entity.ts';
import { StationIssue } from './stations/station-issue.entity.ts';
import { StationIssueMedia } from './stations/station-issue-media.entity.ts';
import { StationMedia } from './stations/station-media.entity.ts';
import { StationSlot } from './stations/station-slot.entity.ts';
import { StationUptimeDay } from './stations/station-uptime-day.entity.ts';
import { UserStationFavorite } from './stations/user-station-favorite.entity.ts';

export { AdminActionLog } from './admin/admin-action-log.entity.ts';
export { AdminProfile } from './admin/admin-profile.entity.ts';
export { SystemLog } from './admin/system-log.entity.ts';
export { UserAuditLog } from './admin/user-audit-log.entity.ts';
export { AppConfig } from './content/app-config.entity.ts';
export { AppUpdate } from './content/app-update.entity.ts';
export { AppVersion, PLATFORMS, type Platform } from './content/app-version.entity.ts';
export { Banner } from './content/banner.entity.ts';
export { ContactInfo } from './content/contact-info.entity.ts';
export { ContentPage } from './content/content-page.entity.ts';
export { Country } from './content/country.entity.ts';
export { Faq } from './content/faq.entity.ts';
export { MediaUpload } from './content/media-upload.entity.ts';
export { Achievement } from './engagement/achievement.entity.ts';
export { Coupon } from './engagement/coupon.entity.ts';
export { CouponUsage } from './engagement/coupon-usage.entity.ts';
export { Notification } from './engagement/notification.entity.ts';
export {
  DELIVERY_CHANNELS,
  NOTIFICATION_DELIVERY_STATUSES,
  NotificationDelivery,
} from './engagement/notification-delivery.entity.ts';
export { NotificationRule } from './engagement/notification-rule.entity.ts';
export { NotificationTemplate } from './engagement/notification-template.entity.ts';
export { Referral } from './engagement/referral.entity.ts';
export { SmsFcmLog } from './engagement/sms-fcm-log.entity.ts';
export { UserAchievement } from './engagement/user-achievement.entity.ts';
export { UserLeaderboard } from './engagement/user-leaderboard.entity.ts';
export * from './enums.ts';
export { OAuthAccount } from './identity/oauth-account.entity.ts';
export { OtpChallenge } from './identity/otp-challenge.entity.ts';
export { RateLimitCounter } from './identity/rate-limit-counter.entity.ts';
export { User } from './identity/user.entity.ts';
export { UserDevice } from './identity/user-device.entity.ts';
export { UserKyc } from './identity/user-kyc.entity.ts';
export { type NotificationPreferences, UserProfile } from './identity/user-profile.entity.ts';
export { UserRole } from './identity/user-role.entity.ts';
export { UserSession } from './identity/user-session.entity.ts';
export { Category } from './marketplace/category.entity.ts';
export { HandoverQr } from './marketplace/handover-qr.entity.ts';
export { InventoryItem } from './marketplace/inventory-item.entity.ts';
export { Invoice } from './marketplace/invoice.entity.ts';
export { Product } from './marketplace/product.entity.ts';
export { ProductAsset } from './marketplace/product-asset.entity.ts';
export { ProductSearchTerm } from './marketplace/product-search-term.entity.ts';
export { RentalOrder } from './marketplace/rental-order.entity.ts';
export { RentalOrderItem } from './marketplace/rental-order-item.entity.ts';
export { Schedule } from './marketplace/schedule.entity.ts';
export { SellerAccount } from './marketplace/seller-account.entity.ts';
export { SellerAccountEntry } from './marketplace/seller-account-entry.entity.ts';
export { SellerPayout } from './marketplace/seller-payout.entity.ts';
export {
  type OpeningHours,
  SellerScheduleSettings,
} from './marketplace/seller-schedule-settings.entity.ts';
export { SellerStaff } from './marketplace/seller-staff.entity.ts';
export { SubscriptionPlan } from './marketplace/subscription-plan.entity.ts';
export { UserSubscription } from './marketplace/user-subscription.entity.ts';
export { PaymentIntent } from './payments/payment-intent.entity.ts';
export { PaymentMethod } from './payments/payment-method.entity.ts';
export { PaymentWebhook } from './payments/payment-webhook.entity.ts';
export { PointsTransaction } from './payments/points-transaction.entity.ts';
export { Refund } from './payments/refund.entity.ts';
export { Transaction } from './payments/transaction.entity.ts';
export { UserPoints } from './payments/user-points.entity.ts';
export { Wallet } from './payments/wallet.entity.ts';
export { WalletTransaction } from './payments/wallet-transaction.entity.ts';
export { Rental } from './rentals/rental.entity.ts';
export { RentalExtension } from './rentals/rental-extension.entity.ts';
export { RentalIssue } from './rentals/rental-issue.entity.ts';
export { RentalIssueMedia } from './rentals/rental-issue-media.entity.ts';
export { RentalLocation } from './rentals/rental-location.entity.ts';
export { RentalPackage } from './rentals/rental-package.entity.ts';
export { PowerBank } from './stations/power-bank.entity.ts';
export { Station } from './stations/station.entity.ts';
export { StationActorState } from './stations/station-actor-state.entity.ts';
export { StationAmenity } from './stations/station-amenity.entity.ts';
export { StationAmenityMapping } from './stations/station-amenity-mapping.entity.ts';
export { STATION_COMMAND_STATUSES, StationCommand } from './stations/station-command.entity.ts';
export { StationIssue } from './stations/station-issue.entity.ts';
export { StationIssueMedia } from './stations/station-issue-media.entity.ts';
export { StationMedia } from './stations/station-media.entity.ts';
export { StationSlot } from './stations/station-slot.entity.ts';
export { StationUptimeDay } from './stations/station-uptime-day.entity.ts';
export { UserStationFavorite } from './stations/user-station-favorite.entity.ts';

export const entities = [
  OAuthAccount,
  OtpChallenge,
  RateLimitCounter,
  UserDevice,
  UserKyc,
  UserProfile,
  UserRole,
  UserSession,
  User,
  AdminActionLog,
  AdminProfile,
  SystemLog,
  UserAuditLog,
  AppConfig,
  AppUpdate,
  AppVersion,
  Banner,
  ContactInfo,
  ContentPage,
  Country,
  Faq,
  MediaUpload,
  PaymentIntent,
  PaymentMethod,
  PaymentWebhook,
  PointsTransaction,
  Refund,
  Transaction,
  UserPoints,
  WalletTransaction,
  Wallet,
  PowerBank,
  StationActorState,
  StationAmenityMapping,
  StationAmenity,
  StationCommand,
  StationIssueMedia,
  StationIssue,
  StationMedia,
  StationSlot,
  StationUptimeDay,
  Station,
  UserStationFavorite,
  RentalExtension,
  RentalIssueMedia,
  RentalIssue,
  RentalLocation,
  RentalPackage,
  Rental,
  Achievement,
  CouponUsage,
  Coupon,
  NotificationRule,
  NotificationTemplate,
  Notification,
  NotificationDelivery,
  Referral,
  SmsFcmLog,
  UserAchievement,
  UserLeaderboard,
  Category,
  HandoverQr,
  InventoryItem,
  Invoice,
  ProductAsset,
  Product,
  ProductSearchTerm,
  RentalOrderItem,
  RentalOrder,
  Schedule,
  SellerScheduleSettings,
  SellerStaff,
  SubscriptionPlan,
  UserSubscription,
  SellerAccount,
  SellerAccountEntry,
  SellerPayout,
] as const;
