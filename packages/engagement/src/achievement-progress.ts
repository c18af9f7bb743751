import type { EntityManager } from '@mikro-orm/postgresql';
import { now, prepared, runPrepared, type Statement, sql, statementOf } from '@powerbank/db';
import { unlockNoticeInsert } from './achievement-notice.ts';
import { uuidv7Sql } from './sql-uuidv7.ts';

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
  return statementOf(ACHIEVEMENT_PROGRESS, { userId, metrics: metrics.join(',') });
}

/** The statement of `achievementProgressStatement`, compiled once. */
export const ACHIEVEMENT_PROGRESS = prepared((db, p: { userId: string; metrics: string }) =>
  unlockNoticeInsert(
    db
      .with('up', (qc) =>
        qc
          .insertInto('user_achievement')
          .columns([
            'id',
            'user_id',
            'achievement_id',
            'progress',
            'completed_at',
            'created_at',
            'updated_at',
          ])
          .expression((eb) =>
            eb
              .selectFrom('achievement as a')
              .select((a) => [
                uuidv7Sql().as('id'),
                sql<string>`${p.userId}::uuid`.as('user_id'),
                'a.id',
                sql.lit(1).as('progress'),
                a.case().when('a.threshold', '<=', 1).then(now()).end().as('completed_at'),
                now().as('created_at'),
                now().as('updated_at'),
              ])
              .where('a.is_active', '=', true)
              .where((a) => a('a.metric', '=', a.fn.any(sql<string[]>`string_to_array(${p.metrics}, ',')`)))
              .orderBy('a.id'),
          )
          .onConflict((oc) =>
            oc.columns(['user_id', 'achievement_id']).doUpdateSet((eb) => ({
              progress: eb('user_achievement.progress', '+', 1),
              completed_at: eb.fn.coalesce(
                'user_achievement.completed_at',
                eb
                  .case()
                  .when(
                    eb('user_achievement.progress', '+', 1),
                    '>=',
                    eb
                      .selectFrom('achievement as t')
                      .select('t.threshold')
                      .whereRef('t.id', '=', 'user_achievement.achievement_id')
                      .$castTo<{ threshold: number | null }>(),
                  )
                  .then(now())
                  .end(),
              ),
              updated_at: now(),
            })),
          )
          .returning([
            'user_achievement.user_id',
            'user_achievement.achievement_id',
            'user_achievement.completed_at',
          ]),
      )
      .with('unlocked', (qc) =>
        qc.selectFrom('up').select(['up.user_id', 'up.achievement_id']).where('up.completed_at', '=', now()),
      ),
  ),
);

/**
 * For the referral reward (built elsewhere): call in the transaction that rewards a referral,
 * once per rewarded referral, with the inviter — their `referrals` achievements move by one.
 */
export async function recordReferralRewarded(em: EntityManager, inviterUserId: string): Promise<void> {
  await runPrepared(em, ACHIEVEMENT_PROGRESS, { userId: inviterUserId, metrics: 'referrals' });
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
  const [row] = await runPrepared(em, CATCH_UP, {});
  return { raised: Number(row?.raised ?? 0), unlocked: Number(row?.unlocked ?? 0) };
}

const count = () => sql<number>`count(*)::int`;

/** The catch-up job's statement: each metric counted from the records, then as the events do. */
const CATCH_UP = prepared((db) =>
  db
    .with('counts', (qc) =>
      qc
        .selectFrom('rental')
        .select(['user_id', sql.lit<string>('rentals').as('metric'), count().as('n')])
        .where('status', '=', 'settled')
        .groupBy('user_id')
        .unionAll(
          qc
            .selectFrom('rental')
            .select(['user_id', sql.lit<string>('timely_returns').as('metric'), count().as('n')])
            .where('status', '=', 'settled')
            .whereRef('returned_at', '<=', 'due_at')
            .groupBy('user_id'),
        )
        .unionAll(
          qc
            .selectFrom('referral')
            .select(['inviter_id as user_id', sql.lit<string>('referrals').as('metric'), count().as('n')])
            .where('status', '=', 'rewarded')
            .groupBy('inviter_id'),
        ),
    )
    .with('up', (qc) =>
      qc
        .insertInto('user_achievement')
        .columns(['id', 'user_id', 'achievement_id', 'progress', 'completed_at', 'created_at', 'updated_at'])
        .expression((eb) =>
          eb
            .selectFrom('counts as c')
            .innerJoin('achievement as a', (join) =>
              join.onRef('a.metric', '=', 'c.metric').on('a.is_active', '=', true),
            )
            .select((s) => [
              uuidv7Sql().as('id'),
              'c.user_id',
              'a.id',
              'c.n',
              s.case().when('c.n', '>=', s.ref('a.threshold')).then(now()).end().as('completed_at'),
              now().as('created_at'),
              now().as('updated_at'),
            ])
            .orderBy('c.user_id')
            .orderBy('a.id'),
        )
        .onConflict((oc) =>
          oc
            .columns(['user_id', 'achievement_id'])
            .doUpdateSet((eb) => ({
              progress: eb.ref('excluded.progress'),
              completed_at: eb.fn.coalesce('user_achievement.completed_at', 'excluded.completed_at'),
              updated_at: now(),
            }))
            .whereRef('user_achievement.progress', '<', 'excluded.progress'),
        )
        .returning([
          'user_achievement.user_id',
          'user_achievement.achievement_id',
          'user_achievement.completed_at',
        ]),
    )
    .with('unlocked', (qc) =>
      qc.selectFrom('up').select(['up.user_id', 'up.achievement_id']).where('up.completed_at', '=', now()),
    )
    .with('notices', (qc) => unlockNoticeInsert(qc).returning(sql.lit(1).as('one')))
    .selectNoFrom((eb) => [
      eb.selectFrom('up').select(eb.fn.countAll<string>().as('n')).as('raised'),
      eb.selectFrom('notices').select(eb.fn.countAll<string>().as('n')).as('unlocked'),
    ]),
);
