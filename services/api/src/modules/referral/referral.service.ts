import type { EntityManager } from '@mikro-orm/postgresql';
import { advisoryXactLock, now, prepared, runPrepared, sql } from '@powerbank/db';
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

/** The user's code with how many they invited, how many were rewarded and the points earned. */
const MY_CODE = prepared((db, p: { userId: string }) =>
  db
    .selectFrom('users as u')
    .leftJoin('referral as r', 'r.inviter_id', 'u.id')
    .select((eb) => [
      'u.referral_code as code',
      eb.fn.count<string>('r.id').as('invited'),
      eb.fn.count<string>('r.id').filterWhere('r.status', '=', 'rewarded').as('rewarded'),
      eb.fn
        .coalesce(
          eb.fn.sum<string>('r.inviter_points').filterWhere('r.status', '=', 'rewarded'),
          sql.lit('0'),
        )
        .as('earned'),
    ])
    .where('u.id', '=', p.userId)
    .groupBy('u.id'),
);

export async function getMyCode(em: EntityManager, userId: string): Promise<MyCodeOutput> {
  const [[row], config] = await Promise.all([runPrepared(em, MY_CODE, { userId }), readReferralConfig(em)]);
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
/**
 * Everything a claim checks, in one statement read after the claim lock: the caller's sign-up
 * window, an earlier referral or settled rental, the code's (active) owner, a device both share,
 * and whether the owner's chain of referrers (followed up to 100 steps) leads back to the caller.
 */
const CLAIM_READ = prepared((db, p: { userId: string; code: string; claimDays: number }) =>
  db
    .withRecursive('chain(id, depth)', (qc) =>
      qc
        .selectFrom('users as inv')
        .select(['inv.id', sql.lit(0).as('depth')])
        .where('inv.referral_code', '=', p.code)
        .where('inv.status', '=', 'active')
        .unionAll((rc) =>
          rc
            .selectFrom('referral as r')
            .innerJoin('chain as c', 'c.id', 'r.invitee_id')
            .select((eb) => ['r.inviter_id as id', eb('c.depth', '+', 1).as('depth')])
            .where('c.depth', '<', 100),
        ),
    )
    .selectFrom('users as me')
    .leftJoin('users as inv', (join) =>
      join.on('inv.referral_code', '=', p.code).on('inv.status', '=', 'active'),
    )
    .select((eb) => [
      sql<boolean>`${eb.ref('me.created_at')} < now() - make_interval(days => ${p.claimDays})`.as(
        'window_closed',
      ),
      eb
        .exists(eb.selectFrom('referral').select(sql.lit(1).as('one')).whereRef('invitee_id', '=', 'me.id'))
        .as('referred'),
      eb
        .exists(
          eb
            .selectFrom('rental')
            .select(sql.lit(1).as('one'))
            .whereRef('user_id', '=', 'me.id')
            .where('status', '=', 'settled'),
        )
        .as('rented'),
      'inv.id as inviter_id',
      eb
        .exists(
          eb
            .selectFrom('user_device as a')
            .innerJoin('user_device as b', 'b.device_id', 'a.device_id')
            .select(sql.lit(1).as('one'))
            .whereRef('a.user_id', '=', 'me.id')
            .whereRef('b.user_id', '=', 'inv.id'),
        )
        .as('shared_device'),
      eb
        .exists(eb.selectFrom('chain').select(sql.lit(1).as('one')).whereRef('chain.id', '=', 'me.id'))
        .as('ring'),
    ])
    .where('me.id', '=', p.userId),
);

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
    const [read] = await runPrepared(tx, CLAIM_READ, {
      userId,
      code: input.code,
      claimDays: config.referral_claim_days,
    });
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
