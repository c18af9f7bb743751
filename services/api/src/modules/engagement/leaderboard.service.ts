import type { EntityManager } from '@mikro-orm/postgresql';
import { READ_REPLICA, sqlRows } from '@powerbank/db';
import { periodStart } from '@powerbank/engagement';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import type { LeaderboardInput, LeaderboardOutput } from './engagement.schemas.ts';

const WHERE = 'category = $1 and period = $2 and period_start = $3::date';

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
 * here), the caller's own rank beside it whatever the page. From the read replica when there is
 * one: the job rewrites the ranking periodically, a replica's moment of lag is within that.
 */
export async function getLeaderboard(
  em: EntityManager,
  userId: string,
  input: LeaderboardInput,
  now: Date = new Date(),
): Promise<LeaderboardOutput> {
  const start = periodStart(input.period, now);
  const key = [input.category, input.period, start];
  const [rows, [summary], [me]] = await Promise.all([
    sqlRows<{ rank: number; score: number; user_id: string; full_name: string | null }>(
      em,
      `select l.rank, l.score, l.user_id, u.full_name from user_leaderboard l join users u on u.id = l.user_id
        where l.category = $1 and l.period = $2 and l.period_start = $3::date
        order by l.rank, l.user_id limit $4 offset $5`,
      [...key, input.page_size, offsetOf(input)],
      READ_REPLICA,
    ),
    sqlRows<{ n: string; computed_at: string | null }>(
      em,
      `select count(*) as n, max(computed_at) as computed_at from user_leaderboard where ${WHERE}`,
      key,
      READ_REPLICA,
    ),
    sqlRows<{ rank: number; score: number }>(
      em,
      `select rank, score from user_leaderboard where ${WHERE} and user_id = $4`,
      [...key, userId],
      READ_REPLICA,
    ),
  ]);
  const page = pageOf(
    rows.map((row) => ({
      rank: row.rank,
      score: row.score,
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
    me: me ? { rank: me.rank, score: me.score } : null,
  };
}
