import Stripe from 'stripe';
import {
  type CreatedGatewayIntent,
  type CreateGatewayIntent,
  type GatewayEvent,
  type GatewayPayment,
  type GatewayPaymentStatus,
  type GatewayRefund,
  GatewayRefusedError,
  type PaymentGateway,
  WebhookSignatureError,
} from './payment-gateway.ts';

export interface StripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** An SDK client to use instead of a new one (tests point it at a local server). */
  client?: Stripe;
}

/** Stripe's PaymentIntent status → ours. `requires_payment_method` after an attempt means it failed. */
function statusOf(intent: Stripe.PaymentIntent): GatewayPaymentStatus {
  switch (intent.status) {
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'cancelled';
    case 'processing':
      return 'processing';
    case 'requires_payment_method':
      return intent.last_payment_error ? 'failed' : 'pending';
    default:
      return 'pending';
  }
}

function paymentOf(intent: Stripe.PaymentIntent): GatewayPayment {
  return {
    gatewayIntentId: intent.id,
    status: statusOf(intent),
    // What was really captured once it succeeded; the requested amount before.
    amount: intent.status === 'succeeded' ? intent.amount_received : intent.amount,
    currency: intent.currency.toUpperCase(),
  };
}

/** Stripe's Refund status → ours: `requires_action` still waits on someone, so it is pending. */
function refundOf(refund: Stripe.Refund): GatewayRefund {
  const status =
    refund.status === 'succeeded'
      ? 'succeeded'
      : refund.status === 'failed' || refund.status === 'canceled'
        ? 'failed'
        : 'pending';
  return { gatewayRefundId: refund.id, status };
}

/** Events about a PaymentIntent carry it as `data.object`; other events are logged and ignored. */
const INTENT_EVENTS = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'payment_intent.processing',
]);

/**
 * Stripe through its official SDK: PaymentIntents (the client confirms with
 * the returned client secret), retrieve as the server-side check, and
 * webhooks verified with `stripe.webhooks.constructEvent` over the raw body.
 */
export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeOptions) {
    this.stripe = options.client ?? new Stripe(options.secretKey, { maxNetworkRetries: 2, timeout: 10_000 });
  }

  async createIntent(input: CreateGatewayIntent): Promise<CreatedGatewayIntent> {
    const intent = await this.stripe.paymentIntents.create(
      {
        amount: input.amount,
        currency: input.currency.toLowerCase(),
        automatic_payment_methods: { enabled: true },
        metadata: { intent_id: input.intentId, user_id: input.userId },
      },
      // Stripe's own idempotency: a retried create never makes a second PaymentIntent.
      { idempotencyKey: `topup-intent:${input.intentId}` },
    );
    return { gatewayIntentId: intent.id, checkoutUrl: null, clientSecret: intent.client_secret };
  }

  async retrieve(gatewayIntentId: string): Promise<GatewayPayment> {
    return paymentOf(await this.stripe.paymentIntents.retrieve(gatewayIntentId));
  }

  async cancel(gatewayIntentId: string): Promise<GatewayPayment> {
    try {
      return paymentOf(await this.stripe.paymentIntents.cancel(gatewayIntentId));
    } catch (error) {
      // Not cancelable (it succeeded or is processing): report where it stands instead.
      if (error instanceof Stripe.errors.StripeInvalidRequestError) return this.retrieve(gatewayIntentId);
      throw error;
    }
  }

  async refund(gatewayIntentId: string, amount: number, refundId: string): Promise<GatewayRefund> {
    try {
      const refund = await this.stripe.refunds.create(
        { payment_intent: gatewayIntentId, amount, metadata: { refund_id: refundId } },
        { idempotencyKey: `refund:${refundId}` },
      );
      return refundOf(refund);
    } catch (error) {
      // A request Stripe read and refused (already refunded, more than is left): nothing was refunded.
      // Connection, rate-limit, idempotency and server errors leave the outcome unknown.
      if (error instanceof Stripe.errors.StripeInvalidRequestError)
        throw new GatewayRefusedError(error.message);
      throw error;
    }
  }

  /**
   * Looked up by the refund id kept in the metadata, not by the idempotency key:
   * Stripe forgets keys after 24 hours, and its refunds can be listed per payment.
   */
  async findRefund(gatewayIntentId: string, refundId: string): Promise<GatewayRefund | null> {
    for await (const refund of this.stripe.refunds.list({ payment_intent: gatewayIntentId, limit: 100 })) {
      if (refund.metadata?.refund_id === refundId) return refundOf(refund);
    }
    return null;
  }

  verifyWebhook(rawBody: string, headers: Headers): GatewayEvent {
    const signature = headers.get('stripe-signature');
    if (!signature) throw new WebhookSignatureError('missing Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.options.webhookSecret);
    } catch (error) {
      throw new WebhookSignatureError((error as Error).message);
    }
    const payment = INTENT_EVENTS.has(event.type)
      ? paymentOf(event.data.object as Stripe.PaymentIntent)
      : null;
    return { eventId: event.id, type: event.type, payment, payload: event, signature };
  }

  /** A valid `Stripe-Signature` for a payload, from the SDK's own helper (offline webhook tests). */
  static testHeader(payload: string, secret: string): string {
    return Stripe.webhooks.generateTestHeaderString({ payload, secret });
  }
}
