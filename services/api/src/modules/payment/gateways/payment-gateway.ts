/** Gateways that take money from outside (PaymentMethod.gateway); `wallet` and `points` are internal. */
export const EXTERNAL_GATEWAYS = ['sandbox', 'stripe'] as const;
export type ExternalGateway = (typeof EXTERNAL_GATEWAYS)[number];

/** A gateway's view of a payment, reduced to what the api acts on. */
export type GatewayPaymentStatus = 'pending' | 'processing' | 'succeeded' | 'failed' | 'cancelled';

export interface GatewayPayment {
  gatewayIntentId: string;
  status: GatewayPaymentStatus;
  amount: number;
  currency: string;
}

export interface CreateGatewayIntent {
  /** Our PaymentIntent id: sent along so webhooks and dashboards can be matched to it. */
  intentId: string;
  amount: number;
  currency: string;
  userId: string;
}

export interface CreatedGatewayIntent {
  gatewayIntentId: string;
  /** A page the client opens to pay (sandbox), or null where the client SDK confirms (Stripe). */
  checkoutUrl: string | null;
  clientSecret: string | null;
}

/** A verified webhook, normalised: only ever built after the signature check passed. */
export interface GatewayEvent {
  eventId: string;
  /** The gateway's own event name, e.g. `payment_intent.succeeded`. */
  type: string;
  /** What the event says about the payment; null for events the api does not act on. */
  payment: GatewayPayment | null;
  payload: unknown;
  signature: string | null;
}

/** Where a refund stands at the gateway: `pending` may still go either way. */
export type GatewayRefundStatus = 'pending' | 'succeeded' | 'failed';

export interface GatewayRefund {
  gatewayRefundId: string;
  status: GatewayRefundStatus;
}

/**
 * The gateway answered that it did not and will not refund (e.g. the payment
 * was already refunded): nothing left. Any other error from `refund` is an
 * outcome we do not know — the request may have reached the gateway.
 */
export class GatewayRefusedError extends Error {
  override readonly name = 'GatewayRefusedError';
}

/** Thrown by `verifyWebhook` when the signature is missing, wrong or too old. */
export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

/**
 * The small port every payment gateway implements (DESIGN.md: outside
 * providers behind small interfaces, chosen by configuration). The api never
 * trusts a client's word that a payment succeeded: it credits only on a
 * verified webhook or on `retrieve`, the server-to-server check.
 */
export interface PaymentGateway {
  readonly name: ExternalGateway;
  createIntent(input: CreateGatewayIntent): Promise<CreatedGatewayIntent>;
  retrieve(gatewayIntentId: string): Promise<GatewayPayment>;
  /** Cancels an unpaid payment; answers the payment's status afterwards (it may have succeeded meanwhile). */
  cancel(gatewayIntentId: string): Promise<GatewayPayment>;
  /**
   * Refunds (part of) a payment under our refund's id as the idempotency key:
   * asked again with the same id, the gateway answers the same refund, never a
   * second one. Throws GatewayRefusedError when the gateway said no.
   */
  refund(gatewayIntentId: string, amount: number, refundId: string): Promise<GatewayRefund>;
  /** What became of the refund sent under `refundId`; null when the gateway never received it. */
  findRefund(gatewayIntentId: string, refundId: string): Promise<GatewayRefund | null>;
  /** Checks the signature over the raw body, then parses; throws WebhookSignatureError. */
  verifyWebhook(rawBody: string, headers: Headers): GatewayEvent;
}
