import type { EntityManager } from '@mikro-orm/postgresql';
import { type DB, type Kysely, prepared, READ_REPLICA, runPrepared } from '@powerbank/db';
import { type LeaderboardCategory, type LeaderboardPeriod, periodStart } from '@powerbank/engagement';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import type { LeaderboardInput, LeaderboardOutput } from './engagement.schemas.ts';

interface RankingParams {
  category: LeaderboardCategory;
  period: LeaderboardPeriod;
  start: string;
  limit: number;
  offset: number;
  userId: string;
}

/** The rows of one ranking (category, period, its start) the job wrote, in leaderboard `l`. */
const ranking = (db: Kysely<DB>, p: RankingParams) =>
  db
    .selectFrom('user_leaderboard as l')
    .where('l.category', '=', p.category)
    .where('l.period', '=', p.period)
    .where('l.period_start', '=', p.start);

const RANKING_PAGE = prepared((db, p: RankingParams) =>
  ranking(db, p)
    .innerJoin('users as u', 'u.id', 'l.user_id')
    .select(['l.rank', 'l.score', 'l.user_id', 'u.full_name'])
    .orderBy('l.rank')
    .orderBy('l.user_id')
    .limit(p.limit)
    .offset(p.offset),
);
const RANKING_SUMMARY = prepared((db, p: RankingParams) =>
  ranking(db, p).select((eb) => [
    eb.fn.countAll<string>().as('n'),
    eb.fn.max('l.computed_at').as('computed_at'),
  ]),
);
const OWN_RANK = prepared((db, p: RankingParams) =>
  ranking(db, p).select(['l.rank', 'l.score']).where('l.user_id', '=', p.userId),
);

/**
 * Others are named by first name and last initial only (a public ranking shows no full names);
 * without a name, a neutral label.
 */
export function displayName(fullName: string | null): string {
  const parts = (fullName ?? '').trim().split(/\s+/).filter(Boolean);
  const [first] = parts;
  if (!first) return 'PowerBank user';
  const last = parts.length > 1 ? parts.at(-1) : undefined;
  return last ? `${first} ${last.charAt(0).toUpperCase()}.` : first;
}

/**
 * A page of the ranking the leaderboard job last wrote for the current period (never computed
 * here), the caller's own rank beside it whatever the page.
 */
export async function getLeaderboard(
  em: EntityManager,
  userId: string,
  input: LeaderboardInput,
  now: Date = new Date(),
): Promise<LeaderboardOutput> {
  const start = periodStart(input.period, now);
  const params = {
    category: input.category,
    period: input.period,
    start,
    limit: input.page_size,
    offset: offsetOf(input),
    userId,
  };
  const [rows, [summary], [me]] = await Promise.all([
    runPrepared(em, RANKING_PAGE, params, READ_REPLICA),
    runPrepared(em, RANKING_SUMMARY, params, READ_REPLICA),
    runPrepared(em, OWN_RANK, params, READ_REPLICA),
  ]);
  const page = pageOf(
    rows.map((row) => ({
      rank: Number(row.rank),
      score: Number(row.score),
      display_name: displayName(row.full_name),
      is_me: row.user_id === userId,
    })),
    input,
    Number(summary?.n ?? 0),
  );
  return {
    category: input.category,
    period: input.period,
    period_start: start,
    computed_at: summary?.computed_at ? new Date(summary.computed_at) : null,
    ...page,
    me: me ? { rank: Number(me.rank), score: Number(me.score) } : null,
  };
}
