import { formatMoney } from '@powerbank/domain';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { AppDeps } from '../../deps.ts';
import type { AppEnv } from '../../hono-env.ts';
import { createGateways } from './gateways/gateway-registry.ts';
import { receiveWebhook } from './webhook.service.ts';

export const WEBHOOK_PATH = '/api/payment/webhook/:gateway';

/** The webhook in the OpenAPI document (it is a plain route, so the generator cannot see it). */
export const PAYMENT_OPENAPI = {
  '/payment/webhook/{gateway}': {
    post: {
      operationId: 'payment-webhook',
      summary: 'Gateway webhook (raw body, verified by signature: Stripe-Signature or Sandbox-Signature)',
      tags: ['payment'],
      parameters: [
        {
          name: 'gateway',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: ['sandbox', 'stripe'] },
        },
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
      },
      responses: {
        '200': {
          description:
            'Received: processed, duplicate (a replay), ignored, or rejected (amount/currency mismatch, unknown intent)',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  received: { type: 'boolean' },
                  status: { type: 'string', enum: ['processed', 'duplicate', 'rejected', 'ignored'] },
                  reason: { type: 'string' },
                },
                required: ['received', 'status'],
              },
            },
          },
        },
        '400': { description: 'Signature missing, wrong or too old: logged as rejected, nothing changed' },
        '404': { description: 'Unknown gateway' },
      },
    },
  },
} as const;

/**
 * The payment routes that cannot be tRPC procedures, mounted before the
 * `/api/*` REST adapter: the gateway webhook (its signature covers the raw
 * body, which the adapter would parse away) and, when it is enabled, the
 * sandbox gateway's checkout page. Also creates this app's gateways; the sandbox delivers its
 * webhooks through this very app, in-process, as a request like any other.
 */
export function mountPayments(app: Hono<AppEnv>, deps: AppDeps): void {
  const gateways = createGateways(deps, (body, headers) =>
    Promise.resolve(
      app.fetch(
        new Request('http://sandbox.internal/api/payment/webhook/sandbox', { method: 'POST', body, headers }),
      ),
    ),
  );

  app.post(WEBHOOK_PATH, async (c) => {
    const raw = await c.req.text();
    const answer = await receiveWebhook(deps, c.req.param('gateway'), raw, c.req.raw.headers);
    return c.json(answer.body, answer.status);
  });

  const sandbox = gateways.sandbox;
  // Off (404, as any unknown path) unless the sandbox gateway is enabled.
  if (!sandbox) return;
  app.get('/sandbox/checkout/:id', (c) => {
    const payment = sandbox.find(c.req.param('id'));
    if (!payment) return c.text('unknown sandbox payment', 404);
    const base = `/sandbox/checkout/${payment.gatewayIntentId}`;
    return c.html(html`<!doctype html>
      <html><head><meta charset="utf-8"><title>Sandbox checkout</title></head>
      <body style="font-family:sans-serif;max-width:28rem;margin:3rem auto">
        <h1>Sandbox checkout</h1>
        <p>Pay <strong>${formatMoney(payment.amount, payment.currency).formatted}</strong> — status: ${payment.status}</p>
        <form method="post" action="${base}/approve"><button>Approve payment</button></form>
        <form method="post" action="${base}/decline"><button>Decline payment</button></form>
        <p><small>No money moves: this is the local sandbox gateway. Its webhook follows.</small></p>
      </body></html>`);
  });
  for (const action of ['approve', 'decline'] as const) {
    app.post(`/sandbox/checkout/:id/${action}`, (c) => {
      const id = c.req.param('id');
      if (!sandbox.find(id)) return c.json({ error: 'unknown sandbox payment' }, 404);
      const payment = action === 'approve' ? sandbox.approve(id) : sandbox.decline(id);
      return c.json({ payment });
    });
  }
}
