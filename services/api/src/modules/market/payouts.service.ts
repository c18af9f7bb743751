import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RentalOrder, SellerAccount, SellerAccountEntry, SellerPayout, User } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { ledger } from '@powerbank/ledger';
import { openSellerAccount, readMarketConfig } from '@powerbank/market';
import { clientKey } from '../../platform/client-key.ts';
import { notifyUser } from '../../platform/notify-user.ts';
import type { PayoutOutput, PayoutRequestInput } from './market.schemas.ts';

const entryOutput = (e: SellerAccountEntry) => ({
  id: e.id,
  type: e.type,
  amount: Number(e.amount),
  balance_after: Number(e.balanceAfter),
  reference_type: e.referenceType ?? null,
  reference_id: e.referenceId ?? null,
  description: e.description ?? null,
  created_at: e.createdAt,
});

const payoutOutput = (p: SellerPayout): PayoutOutput => ({
  id: p.id,
  seller_id: p.seller.id,
  amount: Number(p.amount),
  currency: p.currency,
  status: p.status,
  note: p.note ?? null,
  decided_at: p.decidedAt ?? null,
  created_at: p.createdAt,
});

/** The seller's balance and its newest movements: every order's revenue and commission, every payout. */
export async function sellerBalance(em: EntityManager, sellerId: string, limit: number) {
  const [account, entries, requested, config] = await Promise.all([
    em.findOne(SellerAccount, { user: sellerId }),
    em.find(SellerAccountEntry, { user: sellerId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit }),
    em.find(SellerPayout, { seller: sellerId, status: 'requested' }, { fields: ['amount'] }),
    readMarketConfig(em),
  ]);
  return {
    balance: Number(account?.balance ?? 0),
    currency: account?.currency ?? 'USD',
    requested_payouts: requested.reduce((sum, p) => sum + Number(p.amount), 0),
    commission_bp: config.market_commission_bp,
    entries: entries.map(entryOutput),
  };
}

/** One of the seller's orders as their balance saw it: revenue, commission, net. Another seller's is 404. */
export async function orderShare(em: EntityManager, sellerId: string, orderId: string) {
  const order = await em.findOne(RentalOrder, { id: orderId, seller: sellerId }, { fields: ['id'] });
  if (!order) throw new DomainError('NOT_FOUND', 'no such order');
  const entries = await em.find(
    SellerAccountEntry,
    { user: sellerId, referenceType: 'rental_order', referenceId: orderId },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  const sum = (type: string) =>
    entries.filter((e) => e.type === type).reduce((s, e) => s + Math.abs(Number(e.amount)), 0);
  const gross = sum('order_revenue');
  const commission = sum('commission');
  return { order_id: orderId, gross, commission, net: gross - commission, entries: entries.map(entryOutput) };
}

/**
 * `market.seller.requestPayout`: the amount leaves the seller balance now (a ledger debit that
 * matches no row when the balance is short: 402, nothing written) and waits for finance's
 * approval; a rejection gives it back. The payout row comes first, so a second request with the
 * same key waits on its unique index and then answers the first; two requests with different
 * keys for the whole balance: the conditional debit lets one through.
 */
export async function requestPayout(
  em: EntityManager,
  sellerId: string,
  input: PayoutRequestInput,
): Promise<PayoutOutput> {
  const key = clientKey(sellerId, 'market-payout', sellerId, input.idempotency_key);
  try {
    return await em.fork().transactional(async (tem) => {
      await openSellerAccount(tem, sellerId, 'USD');
      const account = await tem.findOneOrFail(SellerAccount, { user: sellerId });
      const payout = tem.create(SellerPayout, {
        seller: tem.getReference(User, sellerId),
        amount: input.amount,
        currency: account.currency,
        status: 'requested',
        idempotencyKey: key,
      });
      await tem.flush();
      await ledger.debitSeller(tem, {
        userId: sellerId,
        amount: input.amount,
        type: 'payout',
        idempotencyKey: `payout:${payout.id}`,
        reference: { type: 'seller_payout', id: payout.id },
        description: 'Payout requested',
        atomicWithCaller: true,
      });
      return payoutOutput(payout);
    });
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException && /idempotency_key/.test(error.message)))
      throw error;
    const first = await em.fork().findOne(SellerPayout, { idempotencyKey: key });
    if (!first) throw new DomainError('CONFLICT', 'a payout with this key is in progress; retry');
    if (Number(first.amount) !== input.amount) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different payout');
    }
    return payoutOutput(first);
  }
}

export async function myPayouts(em: EntityManager, sellerId: string) {
  const rows = await em.find(
    SellerPayout,
    { seller: sellerId },
    { orderBy: { createdAt: 'desc' }, limit: 100 },
  );
  return { results: rows.map(payoutOutput) };
}

/** One of the seller's payouts; another seller's is 404, as if it did not exist. */
export async function myPayout(em: EntityManager, sellerId: string, id: string) {
  const row = await em.findOne(SellerPayout, { id, seller: sellerId });
  if (!row) throw new DomainError('NOT_FOUND', 'no such payout');
  return payoutOutput(row);
}

/** The admin queue: payouts by status (waiting ones by default), oldest first. */
export async function payoutQueue(em: EntityManager, status: SellerPayout['status']) {
  const rows = await em.find(SellerPayout, { status }, { orderBy: { createdAt: 'asc' }, limit: 200 });
  return { results: rows.map(payoutOutput) };
}

/**
 * Finance decides a waiting payout, the row locked: approve (the money is sent outside the
 * platform; the balance was debited at the request) or reject (the amount credited back, once,
 * by the payout's key). Deciding one already decided is 409 — two admins at once: one decides.
 * The seller is told in the same transaction.
 */
export async function decidePayout(
  tx: EntityManager,
  adminUserId: string,
  id: string,
  decision: 'approve' | 'reject',
  note: string | null,
) {
  const payout = await tx.findOne(SellerPayout, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!payout) throw new DomainError('NOT_FOUND', 'no such payout');
  if (payout.status !== 'requested')
    throw new DomainError('CONFLICT', `this payout was ${payout.status} already`);
  const before = payoutOutput(payout);
  const amount = Number(payout.amount);
  if (decision === 'reject') {
    await ledger.creditSeller(tx, {
      userId: payout.seller.id,
      amount,
      type: 'payout_reversal',
      idempotencyKey: `payout:${payout.id}:reversal`,
      reference: { type: 'seller_payout', id: payout.id },
      description: 'Payout rejected',
    });
  }
  payout.status = decision === 'approve' ? 'approved' : 'rejected';
  payout.decidedBy = tx.getReference(User, adminUserId);
  payout.decidedAt = new Date();
  payout.note = note;
  const approved = decision === 'approve';
  notifyUser(tx, {
    userId: payout.seller.id,
    type: approved ? 'market_payout_approved' : 'market_payout_rejected',
    title: approved ? 'Payout approved' : 'Payout rejected',
    body: approved
      ? `Your payout of ${amount} (minor units) is on its way.`
      : `Your payout of ${amount} (minor units) was rejected and is back on your balance${note ? `: ${note}` : ''}.`,
    payload: { payout_id: payout.id, amount, note },
    dedupeKey: `payout:${payout.id}:${payout.status}`,
  });
  await tx.flush();
  return { before, after: payoutOutput(payout) };
}
