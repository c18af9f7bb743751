import type { EntityManager } from '@mikro-orm/postgresql';
import { catchUpAchievementProgress } from './achievement-progress.ts';
import { computeLeaderboards } from './leaderboard.ts';
import { refreshLoyaltyTiers } from './loyalty.ts';

export interface EngagementJob {
  /** Queue name; also the singleton key: one run at a time across every worker. */
  name: string;
  /** When it runs (cron, UTC). */
  cron: string;
  run: (em: EntityManager, now: Date) => Promise<unknown>;
}

/**
 * The scheduled work of engagement, for the job worker to register: each run is idempotent
 * (it recomputes from the records), so a retry or an overlapping run changes nothing more.
 */
export const ENGAGEMENT_JOBS: readonly EngagementJob[] = [
  // Every 10 minutes: the ranking a user sees is at most that old.
  { name: 'engagement.leaderboard', cron: '*/10 * * * *', run: (em, now) => computeLeaderboards(em, now) },
  // Hourly: progress the events missed (an achievement added since) is caught up.
  { name: 'engagement.achievement-catch-up', cron: '7 * * * *', run: (em) => catchUpAchievementProgress(em) },
  // Daily: the stored tier column follows lifetime points and the current thresholds.
  { name: 'engagement.loyalty-tiers', cron: '23 3 * * *', run: (em) => refreshLoyaltyTiers(em) },
];
