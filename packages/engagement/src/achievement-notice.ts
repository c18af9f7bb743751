import { SQL_UUIDV7 } from './sql-uuidv7.ts';

/**
 * The one way an "achievement unlocked" notice is written: an in-app notification per row of
 * `unlocked` (a CTE or table with `user_id` and `achievement_id`), inserted by the statement
 * that unlocks them, so the notice commits (or rolls back) with the progress. The dedupe key
 * `achievement:<code>` makes it once per user and achievement, whichever path unlocks it (a
 * rental's settlement, a referral, the catch-up job) and however often.
 */
export function unlockNoticeInsert(unlocked: string): string {
  return `insert into notification (id, user_id, type, channel, title, body, payload, status, dedupe_key,
            sent_at, created_at, updated_at)
     select ${SQL_UUIDV7}, u.user_id, 'achievement_unlocked', 'in_app', 'Achievement unlocked',
            left('You unlocked "' || a.name || '": claim your ' || a.reward_points || ' points.', 2000),
            jsonb_build_object('achievementId', a.id, 'code', a.code, 'rewardPoints', a.reward_points),
            'sent', 'achievement:' || a.code, now(), now(), now()
       from ${unlocked} u join achievement a on a.id = u.achievement_id
     on conflict (user_id, dedupe_key) where dedupe_key is not null do nothing`;
}
