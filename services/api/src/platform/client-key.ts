import { createHash } from 'node:crypto';

/** What a client's idempotency key can name: an operation of the api's. */
export type ClientKeyOperation =
  | 'extend'
  | 'pay-due'
  | 'topup'
  | 'refund'
  | 'coupon'
  /** Staff adjusting a user's balance: the "user" is the admin, the target the adjusted user. */
  | 'admin-wallet'
  | 'admin-points'
  | 'market-checkout'
  /** A gateway top-up paying a marketplace order (the target is the order). */
  | 'market-pay'
  | 'market-subscribe'
  | 'market-payout';

/**
 * A client's idempotency key as the server stores and looks it up: scoped to the user, the
 * operation and its target (the rental of an extension, the payment of a refund; none for a
 * top-up). The same key sent by another user, or for another target, is another request; within
 * its scope, the key with other parameters is refused (409 IDEMPOTENCY_KEY_REUSED). Hashed, so
 * whatever the client sends stays out of the server's own key space (`rental:<id>:…`,
 * `topup:<intent>`, …) and within the key columns' 128 characters.
 */
export function clientKey(
  userId: string,
  operation: ClientKeyOperation,
  target: string,
  key: string,
): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([userId, operation, target, key]))
    .digest('base64url');
  return `client:${operation}:${digest}`;
}
