import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentIntent, Refund, Transaction } from '@powerbank/db';
import { ledger } from '@powerbank/ledger';
import type { AppDeps } from '../../deps.ts';
import { gatewayNamed } from './gateways/gateway-registry.ts';
import { type GatewayRefund, GatewayRefusedError } from './gateways/payment-gateway.ts';
import { notifyPayment } from './notify.ts';
import { markRefunded, notifyApproved } from './refund-completion.ts';

/**
 * What the gateway said about a refund: it answered (done, failed or still
 * pending), it refused for certain, or we do not know (a timeout, a lost
 * connection — the refund may well have gone through).
 */
export type GatewayOutcome =
  | { kind: 'answered'; refund: GatewayRefund }
  | { kind: 'refused'; reason: string }
  | { kind: 'unknown'; error: unknown };

/**
 * Asks the gateway to refund, under the refund's id as the idempotency key.
 * With `lookFirst` (reconciling) it first asks what became of that key, and
 * sends only when the gateway never received it: a gateway's idempotency key
 * may expire (Stripe's after 24 hours), the lookup does not. Never throws.
 */
async function askGateway(
  em: EntityManager,
  deps: AppDeps,
  refund: Refund,
  lookFirst: boolean,
): Promise<GatewayOutcome> {
  const intent = await em.findOne(PaymentIntent, { transaction: refund.transaction.id });
  if (!intent?.gatewayIntentId)
    return { kind: 'refused', reason: 'no gateway payment behind this transaction' };
  try {
    const gateway = gatewayNamed(deps, intent.gateway);
    const found = lookFirst ? await gateway.findRefund(intent.gatewayIntentId, refund.id) : null;
    return {
      kind: 'answered',
      refund: found ?? (await gateway.refund(intent.gatewayIntentId, refund.amount, refund.id)),
    };
  } catch (error) {
    if (error instanceof GatewayRefusedError) return { kind: 'refused', reason: error.message };
    return { kind: 'unknown', error };
  }
}

export type RecordedAs = 'processed' | 'failed' | 'approved';

/**
 * Records a known outcome on a refund the caller holds locked: processed, or
 * failed with the wallet debit reversed. An unknown or pending outcome
 * changes nothing (the refund stays `approved`). A refund no longer
 * `approved` was recorded by someone else (the job, or the approval's own
 * step): nothing is done twice.
 */
async function recordOutcome(
  tem: EntityManager,
  refund: Refund,
  outcome: GatewayOutcome,
): Promise<RecordedAs> {
  if (refund.status !== 'approved') return refund.status === 'processed' ? 'processed' : 'failed';
  if (outcome.kind === 'unknown' || (outcome.kind === 'answered' && outcome.refund.status === 'pending'))
    return 'approved';
  if (outcome.kind === 'answered' && outcome.refund.status === 'succeeded') {
    refund.status = 'processed';
    refund.gatewayRefundId = outcome.refund.gatewayRefundId;
    refund.processedAt = new Date();
    const transaction = await tem.findOneOrFail(
      Transaction,
      { id: refund.transaction.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    await markRefunded(tem, transaction);
    notifyApproved(tem, refund);
    await tem.flush();
    return 'processed';
  }
  refund.status = 'failed';
  if (outcome.kind === 'answered') refund.gatewayRefundId = outcome.refund.gatewayRefundId;
  await ledger.creditWallet(tem, {
    userId: refund.user.id,
    amount: refund.amount,
    type: 'adjustment',
    idempotencyKey: `refund:${refund.id}:reversal`,
    reference: { type: 'refund', id: refund.id },
    description: 'Refund failed at the gateway; debit reversed',
  });
  notifyPayment(tem, {
    userId: refund.user.id,
    type: 'refund_failed',
    title: 'Refund failed',
    body: 'The payment provider could not refund; your wallet is unchanged. Support will contact you.',
    payload: { refundId: refund.id },
    dedupeKey: `refund:${refund.id}`,
  });
  await tem.flush();
  return 'failed';
}

/** Locks the refund (waiting, or skipping it when `skipLocked`); null when skipped. */
async function lockRefund(tem: EntityManager, refundId: string, skipLocked: boolean): Promise<Refund | null> {
  const [row] = await tem.execute<{ id: string }[]>(
    `select id from refund where id = ? for update${skipLocked ? ' skip locked' : ''}`,
    [refundId],
  );
  if (!row) return null;
  return tem.findOneOrFail(Refund, { id: refundId }, { refresh: true });
}

/**
 * The gateway step of an approved refund, after the approval (and its wallet
 * debit) committed. Two steps, never one `try`: once the gateway may have
 * refunded, no failure of ours may reverse the debit — that would pay the
 * money out twice. Only a gateway's certain refusal (or a refund it reports
 * failed) reverses it; anything else leaves the refund `approved` for
 * `reconcileRefunds`, which asks the gateway what became of it.
 */
export async function refundThroughGateway(
  em: EntityManager,
  deps: AppDeps,
  refundId: string,
): Promise<RecordedAs> {
  const refund = await em.findOneOrFail(Refund, { id: refundId });
  const outcome = await askGateway(em, deps, refund, false);
  if (outcome.kind === 'unknown') {
    deps.logger.warn(
      { err: outcome.error, refundId },
      'gateway refund outcome unknown; left to reconciliation',
    );
    return 'approved';
  }
  try {
    return await em.fork().transactional(async (tem) => {
      const locked = await lockRefund(tem, refundId, false);
      return locked ? recordOutcome(tem, locked, outcome) : 'approved';
    });
  } catch (error) {
    deps.logger.error(
      { err: error, refundId, outcome },
      'gateway answered but the refund could not be recorded; left to reconciliation',
    );
    return 'approved';
  }
}

export interface ReconcileCounts {
  processed: number;
  failed: number;
  /** Still `approved`: the gateway's refund is pending, or its outcome still unknown. */
  waiting: number;
  /** Another runner held them. */
  skipped: number;
}

/**
 * The reconciliation job: every gateway refund `approved` since before
 * `approvedBefore` (its outcome unknown, or the process stopped before the
 * gateway was asked) is settled with the gateway by its idempotency key —
 * looked up, sent if the gateway never got it, and recorded. Each refund is
 * held locked while the gateway is asked, so two runs at once (api workers,
 * or overlapping ticks) move money once: the other skips it. The age keeps
 * the job off refunds whose approval is still talking to the gateway, and
 * spaces out the questions about one that stays unsettled.
 */
export async function reconcileRefunds(
  em: EntityManager,
  deps: AppDeps,
  approvedBefore: Date,
  limit = 100,
): Promise<ReconcileCounts> {
  const counts: ReconcileCounts = { processed: 0, failed: 0, waiting: 0, skipped: 0 };
  const candidates = await em.execute<{ id: string }[]>(
    `select id from refund where status = 'approved' and destination = 'gateway' and updated_at <= ?
      order by updated_at limit ?`,
    [approvedBefore, limit],
  );
  for (const { id } of candidates) {
    try {
      const recorded = await em.fork().transactional(async (tem) => {
        const refund = await lockRefund(tem, id, true);
        // Held by another run, or recorded since the candidates were read.
        if (refund?.status !== 'approved') return 'skipped' as const;
        const recorded = await recordOutcome(tem, refund, await askGateway(tem, deps, refund, true));
        // Still waiting: to the back of the line, asked again once it is old enough again — refunds a
        // gateway keeps pending for days must not take every run's places from newer ones.
        if (recorded === 'approved')
          await tem.execute('update refund set updated_at = now() where id = ?', [id]);
        return recorded;
      });
      counts[recorded === 'approved' ? 'waiting' : recorded] += 1;
    } catch (error) {
      // One refund's failure must not stop the others; it is tried again next run.
      counts.waiting += 1;
      deps.logger.warn({ err: error, refundId: id }, 'refund reconciliation failed');
    }
  }
  return counts;
}
