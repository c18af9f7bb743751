import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { ledger } from '@powerbank/ledger';
import type { AchievementsOutput, ClaimOutput } from './engagement.schemas.ts';

interface AchievementRow {
  id: number;
  code: string;
  name: string;
  description: string;
  icon_url: string | null;
  metric: string;
  threshold: number;
  reward_points: number;
  progress: number;
  /** Timestamps come as text from `sqlRows`. */
  completed_at: string | null;
  claimed_at: string | null;
}

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

/** Active achievements with the user's progress, and any inactive one the user already unlocked. */
const ACHIEVEMENTS_SQL = `select a.id, a.code, a.name, a.description, a.icon_url, a.metric, a.threshold,
        a.reward_points, coalesce(ua.progress, 0) as progress, ua.completed_at, ua.claimed_at
   from achievement a
   left join user_achievement ua on ua.achievement_id = a.id and ua.user_id = $1
  where (a.is_active or ua.completed_at is not null) and ($2::int is null or a.id = $2)
  order by a.id`;

const achievementRows = (em: EntityManager, userId: string, id: number | null = null) =>
  sqlRows<AchievementRow>(em, ACHIEVEMENTS_SQL, [userId, id]);

function achievementOf(row: AchievementRow): AchievementsOutput['results'][number] {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    icon_url: row.icon_url,
    metric: row.metric,
    threshold: row.threshold,
    progress: Math.min(row.progress, row.threshold),
    reward_points: row.reward_points,
    unlocked: row.completed_at !== null,
    unlocked_at: dateOrNull(row.completed_at),
    claimed: row.claimed_at !== null,
    claimed_at: dateOrNull(row.claimed_at),
  };
}

export async function listAchievements(em: EntityManager, userId: string): Promise<AchievementsOutput> {
  const results = (await achievementRows(em, userId)).map(achievementOf);
  return {
    results,
    unlocked_count: results.filter((a) => a.unlocked).length,
    claimable_count: results.filter((a) => a.unlocked && !a.claimed).length,
  };
}

/**
 * Claims an unlocked achievement's reward, once: the conditional update marks it claimed and
 * the points are credited in the same transaction (key `achievement:<user achievement id>`).
 * Concurrent claims queue on the row; each one after the first finds it claimed (its `where`
 * is evaluated again on the committed row) and is refused 409 with nothing credited.
 */
export function claimAchievement(
  em: EntityManager,
  userId: string,
  achievementId: number,
): Promise<ClaimOutput> {
  return em.transactional(async (tem) => {
    const [claimed] = await sqlRows<{ id: string; reward_points: number }>(
      tem,
      `update user_achievement ua set claimed_at = now(), updated_at = now()
         from achievement a
        where a.id = ua.achievement_id and ua.user_id = $1 and ua.achievement_id = $2
          and ua.completed_at is not null and ua.claimed_at is null
        returning ua.id, a.reward_points`,
      [userId, achievementId],
    );
    const [row] = await achievementRows(tem, userId, achievementId);
    if (!claimed) throw refusal(row);
    if (!row) throw new Error('a claimed achievement is not listed');
    let balance: number;
    if (claimed.reward_points > 0) {
      const entry = await ledger.creditPoints(tem, {
        userId,
        amount: claimed.reward_points,
        type: 'achievement',
        idempotencyKey: `achievement:${claimed.id}`,
        reference: { type: 'achievement', id: row.code },
        description: `Achievement: ${row.name}`,
        // The key derives from the row this transaction just claimed: no one else can write it.
        atomicWithCaller: true,
      });
      balance = entry.balanceAfter;
    } else {
      const [points] = await sqlRows<{ balance: number }>(
        tem,
        'select balance from user_points where user_id = $1',
        [userId],
      );
      balance = points?.balance ?? 0;
    }
    return {
      achievement: achievementOf(row),
      points_credited: claimed.reward_points,
      points_balance: balance,
    };
  });
}

function refusal(row: AchievementRow | undefined): DomainError {
  if (!row) return new DomainError('NOT_FOUND', 'no such achievement');
  if (row.claimed_at) {
    return new DomainError('CONFLICT', 'this achievement was already claimed', {
      claimed_at: row.claimed_at,
    });
  }
  return new DomainError('BUSINESS_RULE', 'this achievement is not unlocked yet', {
    progress: row.progress,
    threshold: row.threshold,
  });
}
