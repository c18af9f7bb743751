import { type DB, now, type QueryCreator, sql } from '@powerbank/db';
import { IN_APP_NOTICE_COLUMNS } from './engagement-notice.ts';
import { uuidv7Sql } from './sql-uuidv7.ts';

/** A statement's `unlocked` CTE: the achievements it unlocked, per user. */
export type Unlocked = {
  unlocked: { user_id: string; achievement_id: DB['user_achievement']['achievement_id'] };
};

/**
 * The one way an "achievement unlocked" notice is written: an in-app notification per row of the
 * statement's `unlocked` CTE, inserted by the statement that unlocks them, so the notice commits
 * (or rolls back) with the progress. The dedupe key `achievement:<code>` makes it once per user
 * and achievement, whichever path unlocks it (a rental's settlement, a referral, the catch-up
 * job) and however often.
 */
export function unlockNoticeInsert<D extends DB & Unlocked>(db: QueryCreator<D>) {
  const query = (db as unknown as QueryCreator<DB & Unlocked>)
    .insertInto('notification')
    .columns(IN_APP_NOTICE_COLUMNS)
    .expression((eb) =>
      eb
        .selectFrom('unlocked as u')
        .innerJoin('achievement as a', 'a.id', 'u.achievement_id')
        .select((s) => [
          uuidv7Sql().as('id'),
          'u.user_id',
          sql.lit('achievement_unlocked').as('type'),
          sql.lit('in_app').as('channel'),
          sql.lit('Achievement unlocked').as('title'),
          sql<string>`left('You unlocked "' || ${s.ref('a.name')} || '": claim your ' || ${s.ref('a.reward_points')} || ' points.', 2000)`.as(
            'body',
          ),
          s
            .fn<unknown>('jsonb_build_object', [
              sql.lit('achievementId'),
              'a.id',
              sql.lit('code'),
              'a.code',
              sql.lit('rewardPoints'),
              'a.reward_points',
            ])
            .as('payload'),
          sql.lit('sent').as('status'),
          sql<string>`'achievement:' || ${s.ref('a.code')}`.as('dedupe_key'),
          now().as('sent_at'),
          now().as('created_at'),
          now().as('updated_at'),
        ]),
    )
    .onConflict((oc) =>
      oc.columns(['user_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing(),
    );
  return query;
}
