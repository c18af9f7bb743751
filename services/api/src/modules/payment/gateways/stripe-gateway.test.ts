import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayRefusedError } from './payment-gateway.ts';
import { StripeGateway } from './stripe-gateway.ts';

/** A few refunds on one payment, listed two to a page as Stripe pages them. */
const REFUNDS = [
  { id: 're_1', object: 'refund', status: 'succeeded', metadata: { refund_id: 'ours-1' } },
  { id: 're_2', object: 'refund', status: 'failed', metadata: { refund_id: 'ours-2' } },
  { id: 're_3', object: 'refund', status: 'requires_action', metadata: { refund_id: 'ours-3' } },
];

/** How the local stand-in for Stripe answers a refund create, by the amount asked. */
function answerCreate(amount: number): [number, unknown] {
  if (amount === 400)
    return [
      400,
      { error: { type: 'invalid_request_error', code: 'charge_already_refunded', message: 'no' } },
    ];
  if (amount === 500) return [500, { error: { type: 'api_error', message: 'try later' } }];
  return [200, { id: 're_new', object: 'refund', status: 'pending', metadata: {} }];
}

async function bodyOf(request: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return new URLSearchParams(text);
}

/**
 * The SDK against a local HTTP server playing Stripe's refund endpoints: the
 * gateway's mapping (lookup across pages, refusal vs unknown) is what is under
 * test, with the SDK's real requests and pagination.
 */
describe('StripeGateway refunds', () => {
  let server: Server;
  let gateway: StripeGateway;
  const idempotencyKeys: string[] = [];

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const url = new URL(request.url ?? '/', 'http://stripe.local');
      let status = 200;
      let body: unknown;
      if (request.method === 'GET' && url.pathname === '/v1/refunds') {
        const after = url.searchParams.get('starting_after');
        const from = after ? REFUNDS.findIndex((refund) => refund.id === after) + 1 : 0;
        const page = REFUNDS.slice(from, from + 2);
        body = { object: 'list', url: '/v1/refunds', data: page, has_more: from + 2 < REFUNDS.length };
      } else {
        idempotencyKeys.push(String(request.headers['idempotency-key']));
        [status, body] = answerCreate(Number((await bodyOf(request)).get('amount')));
      }
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new Stripe('sk_test_local', {
      host: '127.0.0.1',
      port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    gateway = new StripeGateway({ secretKey: 'sk_test_local', webhookSecret: 'whsec_local', client });
  });
  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  it('finds a refund by our refund id across pages, and maps its status', async () => {
    expect(await gateway.findRefund('pi_1', 'ours-1')).toEqual({
      gatewayRefundId: 're_1',
      status: 'succeeded',
    });
    expect(await gateway.findRefund('pi_1', 'ours-2')).toEqual({ gatewayRefundId: 're_2', status: 'failed' });
    expect(await gateway.findRefund('pi_1', 'ours-3')).toEqual({
      gatewayRefundId: 're_3',
      status: 'pending',
    });
    expect(await gateway.findRefund('pi_1', 'never-sent')).toBeNull();
  });

  it('sends under the refund id as idempotency key; a refusal is certain, a server error is not', async () => {
    expect(await gateway.refund('pi_1', 100, 'ours-9')).toEqual({
      gatewayRefundId: 're_new',
      status: 'pending',
    });
    expect(idempotencyKeys.at(-1)).toBe('refund:ours-9');
    await expect(gateway.refund('pi_1', 400, 'ours-10')).rejects.toBeInstanceOf(GatewayRefusedError);
    const unknown = await gateway.refund('pi_1', 500, 'ours-11').catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(Error);
    expect(unknown).not.toBeInstanceOf(GatewayRefusedError);
  });
});
