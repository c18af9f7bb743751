import type { EntityManager } from '@mikro-orm/postgresql';
import { now, prepared, runPrepared } from '@powerbank/db';
import { ledger } from '@powerbank/ledger';
import { recordReferralRewarded } from './achievement-progress.ts';
import { notifyEngagement } from './engagement-notice.ts';

export interface ReferralPoints {
  inviter: number;
  invitee: number;
}

/** The claim of a pending referral's reward: moves it to `rewarded` (zero for an inviter no longer active). */
const REWARD_REFERRAL = prepared((db, p: { id: string; inviter: number; invitee: number }) =>
  db
    .updateTable('referral as r')
    .from('users as u')
    .set((eb) => ({
      status: 'rewarded',
      inviter_points: eb.case().when('u.status', '=', 'active').then(p.inviter).else(0).end(),
      invitee_points: p.invitee,
      completed_at: now(),
      updated_at: now(),
    }))
    .where('r.id', '=', p.id)
    .where('r.status', '=', 'pending')
    .whereRef('u.id', '=', 'r.inviter_id')
    .returning(['r.inviter_id', 'r.invitee_id', 'r.inviter_points', 'r.invitee_points']),
);

/**
 * Rewards a pending referral once (RULES.md: on the invitee's first completed rental), in the
 * caller's transaction — the rental's settlement. The conditional update is the claim: of two
 * settlements (two rentals of the invitee, a retried event) only the one whose update moved the
 * referral from `pending` credits anything; the other waits for its row lock, then finds it
 * rewarded and matches nothing. The ledger keys (`referral:<id>:inviter|invitee`) are written only
 * by the claim's winner, so they need no savepoint. An inviter no longer active (suspended,
 * deleted since the claim) gets nothing; the invitee still does.
 */
export async function rewardReferral(
  em: EntityManager,
  referralId: string,
  points: ReferralPoints,
): Promise<boolean> {
  const [won] = await runPrepared(em, REWARD_REFERRAL, {
    id: referralId,
    inviter: Math.max(0, points.inviter),
    invitee: Math.max(0, points.invitee),
  });
  if (!won) return false;
  // The inviter's `referrals` achievements count rewarded referrals (as the catch-up job does).
  await recordReferralRewarded(em, won.inviter_id);
  const sides = [
    { side: 'inviter', userId: won.inviter_id, points: Number(won.inviter_points) },
    { side: 'invitee', userId: won.invitee_id, points: Number(won.invitee_points) },
  ] as const;
  for (const { side, userId, points: amount } of sides) {
    if (amount <= 0) continue;
    const key = `referral:${referralId}:${side}`;
    await ledger.creditPoints(em, {
      userId,
      amount,
      type: 'referral',
      idempotencyKey: key,
      reference: { type: 'referral', id: referralId },
      description: side === 'inviter' ? 'Referral reward: your friend rented' : 'Referral reward',
      atomicWithCaller: true,
    });
    await notifyEngagement(em, {
      userId,
      type: 'referral_rewarded',
      title: 'Referral reward',
      body:
        side === 'inviter'
          ? `Your friend completed a first rental: you earned ${amount} points.`
          : `Your first rental is done: you earned ${amount} referral points.`,
      variables: { referralId, side, points: amount },
      dedupeKey: key,
    });
  }
  return true;
}
