import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentIntent, PaymentWebhook } from '@powerbank/db';
import { uuidv7 } from 'uuidv7';
import type { AppDeps } from '../../deps.ts';
import { gatewayNamed } from './gateways/gateway-registry.ts';
import { type GatewayEvent, WebhookSignatureError } from './gateways/payment-gateway.ts';
import { applyGatewayPayment } from './topup.service.ts';

export interface WebhookAnswer {
  /** HTTP status for the gateway: 2xx stops its retries, so only a bad signature gets 400. */
  status: 200 | 400 | 404;
  body: { received: boolean; status: 'processed' | 'duplicate' | 'rejected' | 'ignored'; reason?: string };
}

function parseLoosely(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return { raw: raw.slice(0, 4000) };
  }
}

/**
 * One incoming webhook: verified over the raw body before anything else; a
 * bad signature is logged as rejected under an id of our own (a forged event
 * must not claim the real event's id and block it) and changes nothing. A
 * verified event is logged under the gateway's event id, whose unique index
 * makes replays duplicates; then the intent is checked (amount, currency)
 * and credited at most once.
 */
export async function receiveWebhook(
  deps: AppDeps,
  gatewayName: string,
  rawBody: string,
  headers: Headers,
): Promise<WebhookAnswer> {
  const em = deps.orm.em.fork();
  let gateway: ReturnType<typeof gatewayNamed>;
  try {
    gateway = gatewayNamed(deps, gatewayName);
  } catch {
    return {
      status: 404,
      body: { received: false, status: 'rejected', reason: `unknown gateway ${gatewayName}` },
    };
  }
  let event: GatewayEvent;
  try {
    event = gateway.verifyWebhook(rawBody, headers);
  } catch (error) {
    const reason =
      error instanceof WebhookSignatureError
        ? error.message
        : `unreadable event: ${(error as Error).message}`;
    const payload = parseLoosely(rawBody);
    em.create(PaymentWebhook, {
      gateway: gateway.name,
      gatewayEventId: `unverified:${uuidv7()}`,
      eventType: String((payload as { type?: unknown }).type ?? 'unknown').slice(0, 80),
      payload,
      signature: headers.get('stripe-signature') ?? headers.get('sandbox-signature'),
      signatureValid: false,
      status: 'rejected',
      error: reason.slice(0, 512),
      processedAt: new Date(),
    });
    await em.flush();
    deps.logger.warn({ gateway: gateway.name, reason }, 'webhook rejected: signature');
    return { status: 400, body: { received: false, status: 'rejected', reason } };
  }

  // Log and act in one transaction: if acting fails unexpectedly, the log row goes too and the gateway's retry is processed afresh.
  return em.transactional((tem) => processEvent(tem, deps, gateway.name, event));
}

async function processEvent(
  em: EntityManager,
  deps: AppDeps,
  gatewayName: 'sandbox' | 'stripe',
  event: GatewayEvent,
): Promise<WebhookAnswer> {
  const webhookId = await recordEvent(em, gatewayName, event);
  if (!webhookId) {
    em.create(PaymentWebhook, {
      gateway: gatewayName,
      gatewayEventId: `${event.eventId.slice(0, 80)}#dup:${uuidv7()}`,
      eventType: event.type.slice(0, 80),
      payload: event.payload,
      signature: event.signature,
      signatureValid: true,
      status: 'duplicate',
      processedAt: new Date(),
    });
    await em.flush();
    return { status: 200, body: { received: true, status: 'duplicate' } };
  }

  const finish = (status: 'processed' | 'rejected', intentId: string | null, error?: string) =>
    em.nativeUpdate(
      PaymentWebhook,
      { id: webhookId },
      { status, intent: intentId, error: error?.slice(0, 512) ?? null, processedAt: new Date() },
    );

  if (!event.payment) {
    await finish('processed', null);
    return { status: 200, body: { received: true, status: 'ignored' } };
  }
  const intent = await em.findOne(PaymentIntent, {
    gateway: gatewayName,
    gatewayIntentId: event.payment.gatewayIntentId,
  });
  if (!intent) {
    await finish('rejected', null, 'no payment intent with this gateway id');
    return { status: 200, body: { received: true, status: 'rejected', reason: 'unknown payment intent' } };
  }
  const outcome = await applyGatewayPayment(em, intent, event.payment);
  if (outcome.kind === 'rejected') {
    await finish('rejected', intent.id, outcome.reason);
    deps.logger.warn(
      { gateway: gatewayName, intentId: intent.id, reason: outcome.reason },
      'webhook rejected',
    );
    return { status: 200, body: { received: true, status: 'rejected', reason: outcome.reason } };
  }
  await finish('processed', intent.id);
  return { status: 200, body: { received: true, status: 'processed' } };
}

/** Inserts the event's log row unless its id is already there; the row's id, or null for a replay. */
async function recordEvent(em: EntityManager, gateway: string, event: GatewayEvent): Promise<string | null> {
  const rows = await em.execute<{ id: string }[]>(
    `insert into payment_webhook (id, gateway, gateway_event_id, event_type, payload, signature, signature_valid, status, received_at)
     values (?, ?, ?, ?, ?::jsonb, ?, true, 'received', now())
     on conflict (gateway, gateway_event_id) do nothing returning id`,
    [
      uuidv7(),
      gateway,
      event.eventId,
      event.type.slice(0, 80),
      JSON.stringify(event.payload),
      event.signature,
    ],
  );
  return rows[0]?.id ?? null;
}
