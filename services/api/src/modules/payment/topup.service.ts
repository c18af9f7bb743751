import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentIntent, PaymentMethod, Transaction, Wallet } from '@powerbank/db';
import { DomainError, formatMoney, topupRewardPoints } from '@powerbank/domain';
import { ledger, pointsRatio, readPaymentConfig } from '@powerbank/ledger';
import { payOrderFromTopup } from '@powerbank/market';
import { uuidv7 } from 'uuidv7';
import type { AppDeps } from '../../deps.ts';
import { clientKey } from '../../platform/client-key.ts';
import { gatewayNamed } from './gateways/gateway-registry.ts';
import type { GatewayPayment } from './gateways/payment-gateway.ts';
import { notifyPayment } from './notify.ts';
import type { TopupIntentInput, TopupIntentOutput, TopupStatusOutput } from './payment.schemas.ts';

const OPEN_STATUSES = ['created', 'pending'] as const;
const isOpen = (status: string) => (OPEN_STATUSES as readonly string[]).includes(status);

/** What a top-up pays once credited, besides the wallet: a marketplace order's invoice. */
export interface TopupTarget {
  purpose: 'market_order';
  rentalOrderId: string;
}

/**
 * Starts a top-up: a PaymentIntent row (our id first, so the gateway carries
 * it), then the gateway's intent, outside any database transaction (a network
 * call must not hold row locks). A retried request with the same
 * idempotency key gets the same intent; with another amount or method, 409.
 * With a `target`, the credit then pays it (creditTopup); the key is scoped to it.
 */
export async function createTopupIntent(
  em: EntityManager,
  deps: AppDeps,
  userId: string,
  input: TopupIntentInput,
  target?: TopupTarget,
): Promise<TopupIntentOutput> {
  const key = input.idempotency_key
    ? clientKey(userId, target ? 'market-pay' : 'topup', target?.rentalOrderId ?? '', input.idempotency_key)
    : null;
  if (key) {
    const earlier = await em.findOne(PaymentIntent, { idempotencyKey: key }, { populate: ['paymentMethod'] });
    if (earlier) {
      if (earlier.amount !== input.amount || earlier.paymentMethod.code !== input.payment_method) {
        throw new DomainError(
          'IDEMPOTENCY_KEY_REUSED',
          'this idempotency key was used for a different top-up',
        );
      }
      return intentOutput(earlier, earlier.clientSecret ?? null);
    }
  }
  const method = await em.findOne(PaymentMethod, { code: input.payment_method, isActive: true });
  if (!method) throw new DomainError('NOT_FOUND', `no active payment method ${input.payment_method}`);
  if (input.amount < method.minAmount || input.amount > method.maxAmount) {
    throw new DomainError('VALIDATION_FAILED', 'amount outside the payment method limits', {
      fields: { amount: `between ${method.minAmount} and ${method.maxAmount}` },
    });
  }
  const wallet = await em.findOneOrFail(
    Wallet,
    { user: userId },
    { failHandler: () => new DomainError('NOT_FOUND', 'no wallet') },
  );
  if (wallet.currency !== method.currency) {
    throw new DomainError(
      'BUSINESS_RULE',
      `payment method pays in ${method.currency}, the wallet holds ${wallet.currency}`,
    );
  }
  const gateway = gatewayNamed(deps, method.gateway);
  const config = await readPaymentConfig(em);
  const intent = em.create(PaymentIntent, {
    id: uuidv7(),
    user: userId,
    paymentMethod: method,
    gateway: method.gateway,
    purpose: target?.purpose ?? 'topup',
    rentalOrder: target?.rentalOrderId ?? null,
    amount: input.amount,
    currency: method.currency,
    status: 'created',
    idempotencyKey: key,
    expiresAt: new Date(Date.now() + config.topup_intent_ttl_minutes * 60_000),
  });
  try {
    await em.flush();
  } catch (error) {
    // Two first attempts with one key at once: answer the loser like a retry.
    if (key && /idempotency_key/.test(String(error))) {
      return createTopupIntent(em.fork(), deps, userId, input, target);
    }
    throw error;
  }
  let created: Awaited<ReturnType<typeof gateway.createIntent>>;
  try {
    created = await gateway.createIntent({
      intentId: intent.id,
      amount: intent.amount,
      currency: intent.currency,
      userId,
    });
  } catch (error) {
    await em.nativeUpdate(PaymentIntent, { id: intent.id }, { status: 'failed', updatedAt: new Date() });
    throw new DomainError('SERVICE_UNAVAILABLE', `${method.gateway} could not start the payment`, {
      cause: (error as Error).message,
    });
  }
  intent.gatewayIntentId = created.gatewayIntentId;
  intent.checkoutUrl = created.checkoutUrl;
  intent.clientSecret = created.clientSecret;
  await em.flush();
  return intentOutput(intent, created.clientSecret);
}

function intentOutput(intent: PaymentIntent, clientSecret: string | null): TopupIntentOutput {
  return { ...statusOutput(intent), checkout_url: intent.checkoutUrl ?? null, client_secret: clientSecret };
}

export function statusOutput(intent: PaymentIntent): TopupStatusOutput {
  return {
    intent_id: intent.id,
    status: intent.status,
    gateway: intent.gateway,
    amount: formatMoney(intent.amount, intent.currency),
    expires_at: intent.expiresAt,
    credited: intent.creditedAt != null,
    credited_at: intent.creditedAt ?? null,
    transaction_id: intent.transaction?.id ?? null,
  };
}

async function ownIntent(em: EntityManager, userId: string, intentId: string): Promise<PaymentIntent> {
  const intent = await em.findOne(PaymentIntent, { id: intentId, user: userId });
  // Someone else's intent is answered exactly like a missing one: ids are not an oracle.
  if (!intent) throw new DomainError('NOT_FOUND', 'no such payment intent');
  return intent;
}

/** Status, expiring an open intent whose time ran out (and cancelling it at the gateway, best effort). */
export async function getTopupStatus(
  em: EntityManager,
  deps: AppDeps,
  userId: string,
  intentId: string,
): Promise<TopupStatusOutput> {
  const intent = await ownIntent(em, userId, intentId);
  if (isOpen(intent.status) && intent.expiresAt.getTime() <= Date.now() && !intent.creditedAt) {
    const expired = await em.nativeUpdate(
      PaymentIntent,
      { id: intent.id, status: { $in: [...OPEN_STATUSES] }, creditedAt: null },
      { status: 'expired', updatedAt: new Date() },
    );
    if (expired && intent.gatewayIntentId) {
      gatewayNamed(deps, intent.gateway)
        .cancel(intent.gatewayIntentId)
        .catch((error) =>
          deps.logger.warn({ err: error, intentId }, 'gateway cancel of expired intent failed'),
        );
    }
    await em.refresh(intent);
  }
  return statusOutput(intent);
}

/**
 * The client says it paid: ask the gateway (server to server), never the
 * client. Succeeded → credit (once, whichever of this and the webhook comes
 * first). Money taken after expiry is still credited: the user paid.
 */
export async function verifyTopup(
  em: EntityManager,
  deps: AppDeps,
  userId: string,
  intentId: string,
): Promise<TopupStatusOutput> {
  const intent = await ownIntent(em, userId, intentId);
  if (!intent.creditedAt && intent.gatewayIntentId) {
    const payment = await askGateway(intent.gateway, () =>
      gatewayNamed(deps, intent.gateway).retrieve(intent.gatewayIntentId as string),
    );
    const outcome = await applyGatewayPayment(em, intent, payment);
    if (outcome.kind === 'rejected') throw new DomainError('BUSINESS_RULE', outcome.reason);
  }
  return statusOutput(await em.fork().findOneOrFail(PaymentIntent, { id: intent.id }));
}

/**
 * Refuses once paid; otherwise cancels at the gateway first. If the gateway
 * reports the payment went through meanwhile, it is credited and the cancel
 * refused: money taken is never left uncredited.
 */
export async function cancelTopup(
  em: EntityManager,
  deps: AppDeps,
  userId: string,
  intentId: string,
): Promise<TopupStatusOutput> {
  const intent = await ownIntent(em, userId, intentId);
  const refuse = () =>
    new DomainError('BUSINESS_RULE', 'this top-up is already paid and cannot be cancelled', {
      status: 'succeeded',
    });
  if (intent.creditedAt || intent.status === 'succeeded') throw refuse();
  if (intent.status === 'cancelled') return statusOutput(intent);
  if (!isOpen(intent.status)) {
    throw new DomainError('BUSINESS_RULE', `a ${intent.status} top-up cannot be cancelled`, {
      status: intent.status,
    });
  }
  if (intent.gatewayIntentId) {
    const payment = await askGateway(intent.gateway, () =>
      gatewayNamed(deps, intent.gateway).cancel(intent.gatewayIntentId as string),
    );
    if (payment.status === 'succeeded' || payment.status === 'processing') {
      await applyGatewayPayment(em, intent, payment);
      throw refuse();
    }
  }
  const cancelled = await em.nativeUpdate(
    PaymentIntent,
    { id: intent.id, status: { $in: [...OPEN_STATUSES] }, creditedAt: null },
    { status: 'cancelled', updatedAt: new Date() },
  );
  // Lost the race to a webhook that credited it in between.
  if (!cancelled) throw refuse();
  return statusOutput(await em.fork().findOneOrFail(PaymentIntent, { id: intent.id }));
}

/** A gateway that cannot be reached (or does not know the payment) is a 503 the client may retry, never a 500. */
async function askGateway<T>(gateway: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError('SERVICE_UNAVAILABLE', `${gateway} did not answer; try again`, {
      cause: (error as Error).message,
    });
  }
}

export type PaymentOutcome =
  | { kind: 'credited' }
  | { kind: 'already_credited' }
  | { kind: 'updated'; status: string }
  | { kind: 'ignored' }
  | { kind: 'rejected'; reason: string };

/**
 * Acts on a gateway's verified word about an intent, in one transaction:
 * checks it is the amount and currency we asked for (a mismatch changes
 * nothing), then credits on success, or records failure/processing while the
 * intent is still open. Shared by webhooks and verify-topup.
 */
export async function applyGatewayPayment(
  em: EntityManager,
  intent: PaymentIntent,
  payment: GatewayPayment,
): Promise<PaymentOutcome> {
  if (payment.currency.toUpperCase() !== intent.currency) {
    return {
      kind: 'rejected',
      reason: `currency ${payment.currency} does not match the intent's ${intent.currency}`,
    };
  }
  if (payment.amount !== intent.amount) {
    return {
      kind: 'rejected',
      reason: `amount ${payment.amount} does not match the intent's ${intent.amount}`,
    };
  }
  switch (payment.status) {
    case 'succeeded':
      return em.transactional(async (tem) =>
        (await creditTopup(tem, intent.id, payment.gatewayIntentId))
          ? { kind: 'credited' }
          : { kind: 'already_credited' },
      );
    case 'failed':
    case 'cancelled':
    case 'processing': {
      const status = payment.status === 'processing' ? 'pending' : payment.status;
      // Only an open, uncredited intent moves: a late or out-of-order event never undoes a success.
      const moved = await em.nativeUpdate(
        PaymentIntent,
        { id: intent.id, status: { $in: [...OPEN_STATUSES] }, creditedAt: null },
        { status, updatedAt: new Date() },
      );
      if (moved && status === 'failed') {
        notifyPayment(em, {
          userId: intent.user.id,
          type: 'topup_failed',
          title: 'Top-up failed',
          body: `Your top-up of ${formatMoney(intent.amount, intent.currency).formatted} did not go through.`,
          payload: { intentId: intent.id },
          dedupeKey: `topup_failed:${intent.id}`,
        });
        await em.flush();
      }
      return moved ? { kind: 'updated', status } : { kind: 'ignored' };
    }
    default:
      return { kind: 'ignored' };
  }
}

/**
 * Credits a paid top-up exactly once. The guard is the conditional update of
 * `credited_at` (a concurrent second caller waits on the row lock, then
 * matches no row); the ledger's idempotency key `topup:<intent>` and the
 * unique (gateway, gateway_txn_id) would stop a second credit even without it.
 * Must run inside the caller's transaction. Returns false when already credited.
 */
export async function creditTopup(
  tem: EntityManager,
  intentId: string,
  gatewayTxnId: string,
): Promise<boolean> {
  const now = new Date();
  const won = await tem.nativeUpdate(
    PaymentIntent,
    { id: intentId, creditedAt: null },
    { creditedAt: now, status: 'succeeded', succeededAt: now, updatedAt: now },
  );
  if (!won) return false;
  const intent = await tem.findOneOrFail(PaymentIntent, { id: intentId }, { refresh: true });
  const userId = intent.user.id;
  const transaction = tem.create(Transaction, {
    id: uuidv7(),
    user: userId,
    type: 'topup',
    status: 'succeeded',
    amount: intent.amount,
    currency: intent.currency,
    gateway: intent.gateway,
    gatewayTxnId,
    paymentMethod: intent.paymentMethod,
    paidAt: now,
    description: 'Wallet top-up',
    idempotencyKey: `topup:${intent.id}`,
  });
  intent.transaction = transaction;
  await tem.flush();
  const reference = { type: 'payment_intent', id: intent.id };
  await ledger.creditWallet(tem, {
    userId,
    amount: intent.amount,
    type: 'topup',
    idempotencyKey: `topup:${intent.id}`,
    reference,
    transactionId: transaction.id,
    description: 'Wallet top-up',
  });
  // A top-up for a marketplace order pays it from the credit just made, in this transaction.
  if (intent.rentalOrder) await payOrderFromTopup(tem, intent.rentalOrder.id);
  const config = await readPaymentConfig(tem);
  const points = topupRewardPoints(
    intent.amount,
    config.topup_points_rate_pct,
    pointsRatio(config, intent.currency),
  );
  if (points > 0) {
    await ledger.creditPoints(tem, {
      userId,
      amount: points,
      type: 'topup_reward',
      idempotencyKey: `topup_reward:${intent.id}`,
      reference,
      description: 'Top-up reward',
    });
  }
  notifyPayment(tem, {
    userId,
    type: 'topup_succeeded',
    title: 'Wallet topped up',
    body: `${formatMoney(intent.amount, intent.currency).formatted} added to your wallet${points ? `, and ${points} points` : ''}.`,
    payload: {
      intentId: intent.id,
      transactionId: transaction.id,
      points,
      amount: formatMoney(intent.amount, intent.currency).formatted,
    },
    dedupeKey: `topup:${intent.id}`,
  });
  await tem.flush();
  return true;
}
