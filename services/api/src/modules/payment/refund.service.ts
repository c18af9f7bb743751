import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AdminProfile, Refund, Transaction } from '@powerbank/db';
import { DomainError, formatMoney, maxPointsWithin } from '@powerbank/domain';
import { ledger, pointsRatio, readPaymentConfig } from '@powerbank/ledger';
import { uuidv7 } from 'uuidv7';
import type { AppDeps } from '../../deps.ts';
import { clientKey } from '../../platform/client-key.ts';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import { type AdminActor, recordAdminAction } from '../admin-auth/admin-action.ts';
import { notifyPayment } from './notify.ts';
import type {
  RefundDecisionInput,
  RefundOutput,
  RefundRequestInput,
  RefundsInput,
  RefundsOutput,
} from './payment.schemas.ts';
import { markRefunded, notifyApproved, refundedSoFar } from './refund-completion.ts';
import { refundThroughGateway } from './refund-gateway.ts';

/** Refunds that still count against what can be refunded (rejected and failed ones do not). */
const LIVE_REFUNDS = ['requested', 'approved', 'processed'] as const;

export function refundOutput(refund: Refund): RefundOutput {
  return {
    id: refund.id,
    transaction_id: refund.transaction.id,
    amount: formatMoney(refund.amount, refund.currency),
    reason: refund.reason,
    status: refund.status,
    destination: refund.destination,
    review_note: refund.reviewNote ?? null,
    processed_at: refund.processedAt ?? null,
    created_at: refund.createdAt,
  };
}

/**
 * A user asks for (part of) a payment back. The payment row is locked so two
 * requests at once cannot both claim the same refundable remainder. Money
 * goes back the way it came: a top-up to its gateway, a balance payment to
 * wallet and points.
 */
export async function requestRefund(
  em: EntityManager,
  userId: string,
  input: RefundRequestInput,
): Promise<RefundOutput> {
  const key = input.idempotency_key
    ? clientKey(userId, 'refund', input.transaction_id, input.idempotency_key)
    : null;
  return em.transactional(async (tem) => {
    const transaction = await tem.findOne(
      Transaction,
      { id: input.transaction_id, user: userId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!transaction) throw new DomainError('NOT_FOUND', 'no such transaction');
    // Looked up under the payment's lock, which every refund of the key (scoped to this payment)
    // is created under: a concurrent retry finds the first one committed instead of missing it.
    const earlier = key ? await tem.findOne(Refund, { idempotencyKey: key }) : null;
    if (earlier) {
      if (input.amount !== undefined && earlier.amount !== input.amount) {
        throw new DomainError(
          'IDEMPOTENCY_KEY_REUSED',
          'this idempotency key was used for a different refund',
        );
      }
      return refundOutput(earlier);
    }
    if (transaction.status !== 'succeeded' || transaction.type === 'refund') {
      throw new DomainError(
        'BUSINESS_RULE',
        `a ${transaction.status} ${transaction.type} payment cannot be refunded`,
      );
    }
    const refundable = transaction.amount - (await refundedSoFar(tem, transaction.id, LIVE_REFUNDS));
    const amount = input.amount ?? refundable;
    if (amount <= 0 || amount > refundable) {
      throw new DomainError('BUSINESS_RULE', 'amount is more than what is still refundable', {
        refundable: formatMoney(Math.max(0, refundable), transaction.currency),
      });
    }
    const refund = tem.create(Refund, {
      id: uuidv7(),
      transaction,
      user: userId,
      amount,
      currency: transaction.currency,
      reason: input.reason,
      status: 'requested',
      destination: transaction.type === 'topup' ? 'gateway' : 'wallet',
      idempotencyKey: key,
    });
    await tem.flush();
    return refundOutput(refund);
  });
}

export async function listRefunds(
  em: EntityManager,
  userId: string,
  input: RefundsInput,
): Promise<RefundsOutput> {
  const where = { user: userId, ...(input.status ? { status: input.status } : {}) };
  const [rows, total] = await em.findAndCount(Refund, where, {
    orderBy: { createdAt: 'desc', id: 'desc' },
    limit: input.page_size,
    offset: offsetOf(input),
  });
  return pageOf(rows.map(refundOutput), input, total);
}

async function lockRequested(tem: EntityManager, refundId: string): Promise<Refund> {
  const refund = await tem.findOne(Refund, { id: refundId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!refund) throw new DomainError('NOT_FOUND', 'no such refund');
  if (refund.status !== 'requested') {
    throw new DomainError('CONFLICT', `refund already ${refund.status}`, { status: refund.status });
  }
  return refund;
}

function logAdmin(tem: EntityManager, actor: AdminActor, action: string, refund: Refund, before: string) {
  recordAdminAction(tem, actor, action, {
    targetType: 'refund',
    targetId: refund.id,
    before: { status: before },
    after: { status: refund.status, amount: refund.amount, destination: refund.destination },
    reason: refund.reviewNote ?? null,
  });
}

export async function rejectRefund(
  em: EntityManager,
  actor: AdminActor,
  input: RefundDecisionInput,
): Promise<RefundOutput> {
  return em.transactional(async (tem) => {
    const refund = await lockRequested(tem, input.refund_id);
    refund.status = 'rejected';
    refund.reviewedBy = tem.getReference(AdminProfile, actor.adminId);
    refund.reviewNote = input.note ?? null;
    logAdmin(tem, actor, 'refund.reject', refund, 'requested');
    notifyPayment(tem, {
      userId: refund.user.id,
      type: 'refund_rejected',
      title: 'Refund declined',
      body: `Your refund request of ${formatMoney(refund.amount, refund.currency).formatted} was declined.${input.note ? ` ${input.note}` : ''}`,
      payload: { refundId: refund.id },
      dedupeKey: `refund:${refund.id}`,
    });
    await tem.flush();
    return refundOutput(refund);
  });
}

/**
 * Approves and carries out a refund. To the wallet: the wallet part of the
 * payment first, then points for the rest, in one transaction with the
 * approval. To the gateway (a top-up): the wallet is debited with the
 * approval (refused if the top-up was spent), then the gateway is asked
 * outside the transaction (`refund-gateway.ts`): the refund answers
 * `processed`, `failed` (debit reversed), or `approved` while its outcome is
 * not known — the reconciliation job finishes those.
 */
export async function approveRefund(
  em: EntityManager,
  deps: AppDeps,
  actor: AdminActor,
  input: RefundDecisionInput,
): Promise<RefundOutput> {
  const approved = await em.transactional(async (tem) => {
    const refund = await lockRequested(tem, input.refund_id);
    const transaction = await tem.findOneOrFail(
      Transaction,
      { id: refund.transaction.id },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    refund.status = 'approved';
    refund.reviewedBy = tem.getReference(AdminProfile, actor.adminId);
    refund.reviewNote = input.note ?? null;
    const userId = refund.user.id;
    const reference = { type: 'refund', id: refund.id };
    if (refund.destination === 'wallet') {
      const before = await refundedSoFar(tem, transaction.id, ['processed']);
      const walletBack = Math.min(refund.amount, Math.max(0, transaction.walletAmount - before));
      const valueBack = refund.amount - walletBack;
      if (walletBack > 0) {
        await ledger.creditWallet(tem, {
          userId,
          amount: walletBack,
          type: 'refund',
          idempotencyKey: `refund:${refund.id}:wallet`,
          reference,
          transactionId: transaction.id,
        });
      }
      if (valueBack > 0) {
        const config = await readPaymentConfig(tem);
        const points = Math.min(
          transaction.pointsUsed,
          maxPointsWithin(valueBack, pointsRatio(config, transaction.currency)),
        );
        if (points > 0) {
          await ledger.creditPoints(tem, {
            userId,
            amount: points,
            type: 'refund',
            idempotencyKey: `refund:${refund.id}:points`,
            reference,
          });
        }
      }
      refund.status = 'processed';
      refund.processedAt = new Date();
    } else {
      await ledger.debitWallet(tem, {
        userId,
        amount: refund.amount,
        type: 'refund',
        idempotencyKey: `refund:${refund.id}:wallet`,
        reference,
        transactionId: transaction.id,
      });
    }
    if (refund.status === 'processed') await markRefunded(tem, transaction);
    logAdmin(tem, actor, 'refund.approve', refund, 'requested');
    if (refund.status === 'processed') notifyApproved(tem, refund);
    await tem.flush();
    return refund;
  });
  if (approved.status === 'processed') return refundOutput(approved);
  await refundThroughGateway(em.fork(), deps, approved.id);
  return refundOutput(await em.fork().findOneOrFail(Refund, { id: approved.id }));
}
