import type { EntityManager } from '@mikro-orm/postgresql';
import { advisoryXactLock, now, prepared, runPrepared, sqlRows } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { uuidv7 } from 'uuidv7';
import type {
  ClaimInput,
  ClaimOutput,
  MyCodeOutput,
  ValidateInput,
  ValidateOutput,
} from './referral.schemas.ts';
import { readReferralConfig } from './referral-config.ts';

export async function getMyCode(em: EntityManager, userId: string): Promise<MyCodeOutput> {
  const [[row], config] = await Promise.all([
    sqlRows<{ code: string; invited: string; rewarded: string; earned: string }>(
      em,
      `select u.referral_code as code, count(r.id) as invited,
              count(r.id) filter (where r.status = 'rewarded') as rewarded,
              coalesce(sum(r.inviter_points) filter (where r.status = 'rewarded'), 0) as earned
         from users u left join referral r on r.inviter_id = u.id
        where u.id = $1
        group by u.id`,
      [userId],
    ),
    readReferralConfig(em),
  ]);
  if (!row) throw new DomainError('NOT_FOUND', 'no such user');
  return {
    code: row.code,
    invited: Number(row.invited),
    rewarded: Number(row.rewarded),
    points_earned: Number(row.earned),
    inviter_points: config.referral_inviter_points,
    invitee_points: config.referral_invitee_points,
  };
}

/** Whether a code can be used at sign-up or in a claim: an active user has it. */
export async function validateCode(em: EntityManager, input: ValidateInput): Promise<ValidateOutput> {
  const [rows, config] = await Promise.all([
    runPrepared(em, ACTIVE_CODE, { code: input.code }),
    readReferralConfig(em),
  ]);
  return { code: input.code, valid: rows.length > 0, invitee_points: config.referral_invitee_points };
}

/** What a claim's checks read, after the claim lock. */
interface ClaimRead {
  window_closed: boolean;
  referred: boolean;
  rented: boolean;
  inviter_id: string | null;
  shared_device: boolean;
  ring: boolean;
}

const refuse = (reason: string, message: string) => new DomainError('BUSINESS_RULE', message, { reason });

/**
 * `referral/claim`: links the caller to the owner of `code` as a pending referral, rewarded at
 * their first completed rental (RULES.md). Claims are serialised by one transaction-scoped
 * advisory lock and every check reads in a statement after it: under READ COMMITTED the read
 * then sees every claim committed before, so 20 concurrent claims by one user make one referral
 * and two users claiming each other's code at once cannot form a ring (A→B→A) — neither can a
 * longer one, which the same read follows up the inviter's chain of referrers. Claims are rare
 * (once per account), so one lock for all of them costs nothing.
 */
export async function claimReferral(
  em: EntityManager,
  userId: string,
  input: ClaimInput,
): Promise<ClaimOutput> {
  const config = await readReferralConfig(em);
  return em.transactional(async (tx) => {
    await advisoryXactLock(tx, 'referral:claim');
    const [read] = await sqlRows<ClaimRead>(
      tx,
      `select me.created_at < now() - make_interval(days => $3) as window_closed,
              exists (select 1 from referral where invitee_id = me.id) as referred,
              exists (select 1 from rental where user_id = me.id and status = 'settled') as rented,
              inv.id as inviter_id,
              exists (select 1 from user_device a join user_device b on b.device_id = a.device_id
                       where a.user_id = me.id and b.user_id = inv.id) as shared_device,
              exists (with recursive chain(id, depth) as (
                        select inv.id, 0
                        union all
                        select r.inviter_id, c.depth + 1 from referral r join chain c on r.invitee_id = c.id
                         where c.depth < 100)
                      select 1 from chain where id = me.id) as ring
         from users me
         left join users inv on inv.referral_code = $2 and inv.status = 'active'
        where me.id = $1`,
      [userId, input.code, config.referral_claim_days],
    );
    if (!read) throw new DomainError('NOT_FOUND', 'no such user');
    if (!read.inviter_id) {
      throw new DomainError('VALIDATION_FAILED', 'unknown referral code', {
        fields: [{ path: 'code', message: 'no active user has this code' }],
      });
    }
    if (read.inviter_id === userId) throw refuse('self_referral', 'you cannot use your own referral code');
    if (read.referred) {
      throw new DomainError('CONFLICT', 'you already have a referrer', { reason: 'already_referred' });
    }
    if (read.window_closed) {
      throw refuse(
        'claim_window_closed',
        `a code can be claimed within ${config.referral_claim_days} days of sign-up`,
      );
    }
    if (read.rented)
      throw refuse('already_rented', 'a code can be claimed only before your first completed rental');
    // A phone is never shared: every live account has its own, verified by OTP (users.phone is
    // unique). What a second account of the same person shares is the device.
    if (read.shared_device)
      throw refuse('shared_device', "this account shares a device with the code's owner");
    if (read.ring) throw refuse('referral_ring', 'the owner of this code was invited by you');
    const id = uuidv7();
    await runPrepared(tx, INSERT_REFERRAL, {
      id,
      inviterId: read.inviter_id,
      inviteeId: userId,
      code: input.code,
    });
    return {
      referral_id: id,
      code: input.code,
      status: 'pending',
      invitee_points: config.referral_invitee_points,
    };
  });
}

/** An active user has the code. */
const ACTIVE_CODE = prepared((db, p: { code: string }) =>
  db.selectFrom('users').select('id').where('referral_code', '=', p.code).where('status', '=', 'active'),
);

/** A claim, pending until the invitee's first completed rental. */
const INSERT_REFERRAL = prepared(
  (db, p: { id: string; inviterId: string; inviteeId: string; code: string }) =>
    db.insertInto('referral').values({
      id: p.id,
      inviter_id: p.inviterId,
      invitee_id: p.inviteeId,
      code: p.code,
      status: 'pending',
      inviter_points: 0,
      invitee_points: 0,
      created_at: now(),
      updated_at: now(),
    }),
);
