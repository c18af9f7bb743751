import { PaymentIntent, PaymentMethod } from '@powerbank/db';
import { expect } from 'vitest';
import { bearer } from '../../testing/auth-helpers.ts';
import type { TestApi } from '../../testing/test-app.ts';
import { gatewaysOf } from './gateways/gateway-registry.ts';

/**
 * The top-up methods tests pay with (sandbox_card, stripe_card) come with the
 * migrations, as in every deployment; this checks a test database has them.
 */
export async function seedPaymentMethods(api: TestApi): Promise<void> {
  const codes = (await api.deps.orm.em.fork().find(PaymentMethod, {})).map((method) => method.code);
  expect(codes).toEqual(expect.arrayContaining(['sandbox_card', 'stripe_card']));
}

export const sandboxOf = (api: TestApi) => {
  const { sandbox } = gatewaysOf(api.deps);
  if (!sandbox) throw new Error('the sandbox gateway is off in this test api (SANDBOX_GATEWAY_ENABLED)');
  return sandbox;
};

/** POST topup-intent over REST; the intent's id and sandbox payment id. */
export async function startTopup(api: TestApi, token: string, amount: number, method = 'sandbox_card') {
  const res = await api.rest(
    'POST',
    '/api/payment/wallet/topup-intent',
    { amount, payment_method: method },
    bearer(token),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const intent = await api.deps.orm.em.fork().findOneOrFail(PaymentIntent, { id: res.body.data.intent_id });
  return { intentId: intent.id, gatewayIntentId: intent.gatewayIntentId ?? '', data: res.body.data };
}

/** Wallet balance, its ledger sum, points balance and its ledger sum, straight from the tables. */
export async function moneyOf(api: TestApi, userId: string) {
  const [row] = await api.deps.orm.em
    .fork()
    .execute<{ balance: string; ledger: string; points: number; points_ledger: string; credits: string }[]>(
      `select w.balance, (select coalesce(sum(amount), 0) from wallet_transaction where wallet_id = w.id) as ledger,
            (select count(*) from wallet_transaction where wallet_id = w.id and type = 'topup') as credits,
            p.balance as points, (select coalesce(sum(points), 0) from points_transaction where account_id = p.id) as points_ledger
       from wallet w join user_points p on p.user_id = w.user_id where w.user_id = ?`,
      [userId],
    );
  return {
    wallet: Number(row?.balance),
    walletLedger: Number(row?.ledger),
    topups: Number(row?.credits),
    points: Number(row?.points),
    pointsLedger: Number(row?.points_ledger),
  };
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
