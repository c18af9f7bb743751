import { createHmac, timingSafeEqual } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import {
  type CreatedGatewayIntent,
  type CreateGatewayIntent,
  type GatewayEvent,
  type GatewayPayment,
  type GatewayPaymentStatus,
  type GatewayRefund,
  type GatewayRefundStatus,
  GatewayRefusedError,
  type PaymentGateway,
  WebhookSignatureError,
} from './payment-gateway.ts';

export const SANDBOX_SIGNATURE_HEADER = 'sandbox-signature';
/** Signatures older than this are refused, so a captured webhook cannot be replayed days later. */
const SIGNATURE_TOLERANCE_S = 300;

export interface SandboxOptions {
  secret: string;
  /** Base URL clients reach the api at; checkout pages are served under `/sandbox/checkout/…`. */
  publicBaseUrl: string;
  delayMs: number;
  /** Extra copies of each webhook. */
  duplicates: number;
  /** Send a payment's webhooks newest first. */
  outOfOrder: boolean;
  /** Hands a signed webhook to the api (in-process `app.fetch`, or HTTP). */
  deliver(body: string, headers: Record<string, string>): Promise<unknown>;
  onDeliveryError?(error: unknown): void;
}

interface SandboxPayment {
  id: string;
  reference: string;
  amount: number;
  currency: string;
  status: GatewayPaymentStatus;
}

interface SandboxRefund {
  id: string;
  paymentId: string;
  amount: number;
  status: GatewayRefundStatus;
}

export interface SandboxEventPayload {
  id: string;
  type: string;
  created: number;
  data: {
    intent_id: string;
    reference: string;
    amount: number;
    currency: string;
    status: GatewayPaymentStatus;
  };
}

/** HMAC-SHA256 over `${t}.${body}`, Stripe's scheme, in the header `t=<unix>,v1=<hex>`. */
export function signSandboxPayload(
  secret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * A payment gateway that really runs on one machine: it keeps its payments in
 * memory (it plays the outside provider's database, so it is per process —
 * dev and tests, never production), serves a checkout page with approve and
 * decline buttons, and tells the api the outcome with HMAC-signed webhooks,
 * optionally late, repeated and out of order, like real gateways do.
 */
export class SandboxGateway implements PaymentGateway {
  readonly name = 'sandbox' as const;
  private readonly payments = new Map<string, SandboxPayment>();
  private readonly pending = new Set<ReturnType<typeof setTimeout>>();
  /** Refunds by our refund id, the idempotency key (as Stripe keeps them). */
  private readonly refunds = new Map<string, SandboxRefund>();
  private unreachable = false;
  private refundsStartPending = false;

  constructor(private readonly options: SandboxOptions) {}

  async createIntent(input: CreateGatewayIntent): Promise<CreatedGatewayIntent> {
    const id = `sbx_pi_${uuidv7().replaceAll('-', '')}`;
    this.payments.set(id, {
      id,
      reference: input.intentId,
      amount: input.amount,
      currency: input.currency,
      status: 'pending',
    });
    return {
      gatewayIntentId: id,
      checkoutUrl: `${this.options.publicBaseUrl.replace(/\/$/, '')}/sandbox/checkout/${id}`,
      clientSecret: null,
    };
  }

  async retrieve(gatewayIntentId: string): Promise<GatewayPayment> {
    return this.view(this.get(gatewayIntentId));
  }

  async cancel(gatewayIntentId: string): Promise<GatewayPayment> {
    const payment = this.get(gatewayIntentId);
    if (payment.status === 'pending' || payment.status === 'processing') payment.status = 'cancelled';
    return this.view(payment);
  }

  async refund(gatewayIntentId: string, amount: number, refundId: string): Promise<GatewayRefund> {
    this.reach();
    const earlier = this.refunds.get(refundId);
    if (earlier) return this.refundView(earlier);
    const payment = this.get(gatewayIntentId);
    const refunded = [...this.refunds.values()]
      .filter((refund) => refund.paymentId === payment.id && refund.status !== 'failed')
      .reduce((sum, refund) => sum + refund.amount, 0);
    if (payment.status !== 'succeeded' || amount > payment.amount - refunded)
      throw new GatewayRefusedError('sandbox: nothing to refund');
    const refund: SandboxRefund = {
      id: `sbx_re_${uuidv7().replaceAll('-', '')}`,
      paymentId: payment.id,
      amount,
      status: this.refundsStartPending ? 'pending' : 'succeeded',
    };
    this.refunds.set(refundId, refund);
    return this.refundView(refund);
  }

  async findRefund(_gatewayIntentId: string, refundId: string): Promise<GatewayRefund | null> {
    this.reach();
    const refund = this.refunds.get(refundId);
    return refund ? this.refundView(refund) : null;
  }

  /** The refunds made against a payment, money that left (tests count them). */
  refundsOf(
    gatewayIntentId: string,
  ): { gatewayRefundId: string; amount: number; status: GatewayRefundStatus }[] {
    return [...this.refunds.values()]
      .filter((refund) => refund.paymentId === gatewayIntentId)
      .map((refund) => ({ ...this.refundView(refund), amount: refund.amount }));
  }

  /** Plays an outage: every call fails as a lost connection does, with an outcome the caller cannot know. */
  setUnreachable(unreachable: boolean): void {
    this.unreachable = unreachable;
  }

  /** New refunds stay `pending` until `settleRefund`, as a bank's refunds do. */
  setRefundsPending(pending: boolean): void {
    this.refundsStartPending = pending;
  }

  settleRefund(refundId: string, status: 'succeeded' | 'failed'): void {
    const refund = this.refunds.get(refundId);
    if (!refund) throw new Error(`sandbox: no refund ${refundId}`);
    refund.status = status;
  }

  verifyWebhook(rawBody: string, headers: Headers): GatewayEvent {
    const signature = headers.get(SANDBOX_SIGNATURE_HEADER);
    const parts = Object.fromEntries(
      (signature ?? '').split(',').map((part) => part.split('=', 2) as [string, string]),
    );
    const timestamp = Number(parts.t);
    if (!signature || !Number.isInteger(timestamp) || !parts.v1) {
      throw new WebhookSignatureError('missing or malformed signature header');
    }
    if (Math.abs(Date.now() / 1000 - timestamp) > SIGNATURE_TOLERANCE_S) {
      throw new WebhookSignatureError('signature timestamp outside the tolerance');
    }
    const expected = Buffer.from(
      signSandboxPayload(this.options.secret, rawBody, timestamp).split('v1=')[1] ?? '',
      'hex',
    );
    const given = Buffer.from(parts.v1, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new WebhookSignatureError('signature does not match the body');
    }
    const payload = JSON.parse(rawBody) as SandboxEventPayload;
    const data = payload.data;
    return {
      eventId: payload.id,
      type: payload.type,
      payment: data
        ? {
            gatewayIntentId: data.intent_id,
            status: data.status,
            amount: data.amount,
            currency: data.currency,
          }
        : null,
      payload,
      signature,
    };
  }

  /** The checkout page's approve button: the payment succeeds and webhooks follow. */
  approve(gatewayIntentId: string): GatewayPayment {
    return this.settle(gatewayIntentId, 'succeeded');
  }

  /** The checkout page's decline button. */
  decline(gatewayIntentId: string): GatewayPayment {
    return this.settle(gatewayIntentId, 'failed');
  }

  find(gatewayIntentId: string): GatewayPayment | undefined {
    const payment = this.payments.get(gatewayIntentId);
    return payment && this.view(payment);
  }

  /** A signed event as the sandbox would send it (tests use it to replay and tamper). */
  signedEvent(payload: SandboxEventPayload, secret = this.options.secret) {
    const body = JSON.stringify(payload);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        [SANDBOX_SIGNATURE_HEADER]: signSandboxPayload(secret, body),
      },
    };
  }

  eventFor(gatewayIntentId: string, type: string, status: GatewayPaymentStatus): SandboxEventPayload {
    const payment = this.get(gatewayIntentId);
    return {
      id: `evt_${uuidv7().replaceAll('-', '')}`,
      type,
      created: Math.floor(Date.now() / 1000),
      data: {
        intent_id: payment.id,
        reference: payment.reference,
        amount: payment.amount,
        currency: payment.currency,
        status,
      },
    };
  }

  /** Stops webhooks not yet sent (shutdown, end of a test). */
  close(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  private settle(gatewayIntentId: string, outcome: 'succeeded' | 'failed'): GatewayPayment {
    const payment = this.get(gatewayIntentId);
    if (payment.status !== 'pending' && payment.status !== 'processing') return this.view(payment);
    payment.status = outcome;
    const events =
      outcome === 'succeeded'
        ? [
            this.eventFor(payment.id, 'payment.processing', 'processing'),
            this.eventFor(payment.id, 'payment.succeeded', 'succeeded'),
          ]
        : [this.eventFor(payment.id, 'payment.failed', 'failed')];
    if (this.options.outOfOrder) events.reverse();
    const deliveries = events.flatMap((event) =>
      Array.from({ length: 1 + this.options.duplicates }, () => event),
    );
    deliveries.forEach((event, i) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        const { body, headers } = this.signedEvent(event);
        this.options.deliver(body, headers).catch((error) => this.options.onDeliveryError?.(error));
      }, this.options.delayMs + i);
      this.pending.add(timer);
    });
    return this.view(payment);
  }

  private reach(): void {
    if (this.unreachable) throw new Error('sandbox: connection reset (outage)');
  }

  private refundView(refund: SandboxRefund): GatewayRefund {
    return { gatewayRefundId: refund.id, status: refund.status };
  }

  private get(gatewayIntentId: string): SandboxPayment {
    const payment = this.payments.get(gatewayIntentId);
    if (!payment) throw new Error(`sandbox: no payment ${gatewayIntentId}`);
    return payment;
  }

  private view(payment: SandboxPayment): GatewayPayment {
    return {
      gatewayIntentId: payment.id,
      status: payment.status,
      amount: payment.amount,
      currency: payment.currency,
    };
  }
}
