import type { EntityManager } from '@mikro-orm/postgresql';
import { type Statement, sqlRows } from '@powerbank/db';
import { unlockNoticeInsert } from './achievement-notice.ts';
import { SQL_UUIDV7 } from './sql-uuidv7.ts';

/** What achievements count (`achievement.metric`); an admin's achievement names one of these. */
export const ACHIEVEMENT_METRICS = ['rentals', 'timely_returns', 'referrals'] as const;
export type AchievementMetric = (typeof ACHIEVEMENT_METRICS)[number];

/**
 * One more of each metric for the user: every active achievement counting it moves by one (its
 * row created at the first), those reaching their threshold are unlocked (`completed_at`) and
 * notified, all in one statement. It answers nothing, so a caller can send it with its other
 * blind writes (a rental's settlement does, in the round trip that saves the rental). The caller
 * applies each event once (a rental settles once, under its row lock): the count is not keyed.
 * Metrics go as one comma-separated text: the statement also runs with its values inlined.
 * Rows are locked in (user, achievement) order here and in the catch-up job, so the two
 * cannot deadlock.
 */
export function achievementProgressStatement(
  userId: string,
  metrics: readonly AchievementMetric[],
): Statement {
  return {
    text: `with up as (
       insert into user_achievement as ua (id, user_id, achievement_id, progress, completed_at, created_at, updated_at)
       select ${SQL_UUIDV7}, $1::uuid, a.id, 1, case when a.threshold <= 1 then now() end, now(), now()
         from achievement a
        where a.is_active and a.metric = any(string_to_array($2, ','))
        order by a.id
       on conflict (user_id, achievement_id) do update
          set progress = ua.progress + 1,
              completed_at = coalesce(ua.completed_at, case when ua.progress + 1 >=
                (select threshold from achievement t where t.id = ua.achievement_id) then now() end),
              updated_at = now()
       returning ua.user_id, ua.achievement_id, ua.completed_at),
     unlocked as (select user_id, achievement_id from up where completed_at = now())
     ${unlockNoticeInsert('unlocked')}`,
    values: [userId, metrics.join(',')],
  };
}

/**
 * For the referral reward (built elsewhere): call in the transaction that rewards a referral,
 * once per rewarded referral, with the inviter — their `referrals` achievements move by one.
 */
export async function recordReferralRewarded(em: EntityManager, inviterUserId: string): Promise<void> {
  const { text, values } = achievementProgressStatement(inviterUserId, ['referrals']);
  await sqlRows(em, text, values);
}

/**
 * Job (achievement progress catch-up): sets every user's progress to what the records say —
 * settled rentals, those returned by their due time, rewarded referrals — where it is behind.
 * An achievement an admin adds later thus counts the history, and a progress update lost to a
 * bug is repaired. Only ever raises progress (`greatest` semantics: a settlement committed after
 * this statement's snapshot already added its own one), unlocks and notifies like the events do.
 * One statement, set-based; returns the rows raised and the achievements unlocked.
 */
export async function catchUpAchievementProgress(
  em: EntityManager,
): Promise<{ raised: number; unlocked: number }> {
  const [row] = await sqlRows<{ raised: string; unlocked: string }>(
    em,
    `with counts as (
       select user_id, 'rentals' as metric, count(*)::int as n
         from rental where status = 'settled' group by user_id
       union all
       select user_id, 'timely_returns', count(*)::int
         from rental where status = 'settled' and returned_at <= due_at group by user_id
       union all
       select inviter_id, 'referrals', count(*)::int
         from referral where status = 'rewarded' group by inviter_id),
     up as (
       insert into user_achievement as ua (id, user_id, achievement_id, progress, completed_at, created_at, updated_at)
       select ${SQL_UUIDV7}, c.user_id, a.id, c.n, case when c.n >= a.threshold then now() end, now(), now()
         from counts c join achievement a on a.metric = c.metric and a.is_active
        order by c.user_id, a.id
       on conflict (user_id, achievement_id) do update
          set progress = excluded.progress,
              completed_at = coalesce(ua.completed_at, excluded.completed_at),
              updated_at = now()
        where ua.progress < excluded.progress
       returning ua.user_id, ua.achievement_id, ua.completed_at),
     unlocked as (select user_id, achievement_id from up where completed_at = now()),
     notices as (${unlockNoticeInsert('unlocked')} returning 1)
     select (select count(*) from up) as raised, (select count(*) from notices) as unlocked`,
  );
  return { raised: Number(row?.raised ?? 0), unlocked: Number(row?.unlocked ?? 0) };
}
