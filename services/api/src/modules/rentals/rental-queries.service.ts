import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Rental, runPrepared, Wallet } from '@powerbank/db';
import { formatMoney } from '@powerbank/domain';
import { cursorPageOf, offsetOf } from '../../platform/pagination.ts';
import { HISTORY_PAGES, OPEN_RENTALS, rentalViewAnswer } from './rental-output.ts';
import type {
  ActiveRentalsOutput,
  HistoryInput,
  HistoryOutput,
  UsageStatsOutput,
} from './rentals.schemas.ts';

export async function activeRentals(em: EntityManager, userId: string): Promise<ActiveRentalsOutput> {
  const rows = await runPrepared(em, OPEN_RENTALS, { userId });
  return { results: rows.map((row) => rentalViewAnswer(em, row)) };
}

/** Newest first; keyset pagination by id with a cursor (UUIDv7 ids are time-ordered), else pages. */
export async function rentalHistory(
  em: EntityManager,
  userId: string,
  input: HistoryInput,
): Promise<HistoryOutput> {
  const where: FilterQuery<Rental> = { user: userId, ...(input.status ? { status: input.status } : {}) };
  const page = input.status
    ? input.cursor
      ? HISTORY_PAGES.byStatusAfter
      : HISTORY_PAGES.byStatus
    : input.cursor
      ? HISTORY_PAGES.allAfter
      : HISTORY_PAGES.all;
  const [rows, total] = await Promise.all([
    runPrepared(em, page, {
      userId,
      // Bound only in the shapes that name them.
      status: input.status ?? 'settled',
      cursor: input.cursor ?? '',
      limit: input.page_size + 1,
      offset: offsetOf(input),
    }),
    em.count(Rental, where),
  ]);
  return cursorPageOf(
    rows.map((row) => rentalViewAnswer(em, row)),
    input,
    total,
  );
}

interface StatsRow {
  total: string;
  completed: string;
  active: string;
  failed: string;
  timely: string;
  minutes: string | null;
  spent: string | null;
  points_spent: string | null;
  due: string | null;
}

/** One aggregate over the user's rentals (index user_id), one over their rental points, one for the favourite station. */
export async function usageStats(em: EntityManager, userId: string): Promise<UsageStatsOutput> {
  const [[stats], [earned], [favourite], wallet] = await Promise.all([
    em.execute<StatsRow[]>(
      `select count(*) as total,
              count(*) filter (where status = 'settled') as completed,
              count(*) filter (where status in ('pending', 'dispensing', 'active', 'overdue')) as active,
              count(*) filter (where status = 'failed') as failed,
              count(*) filter (where status = 'settled' and returned_at <= due_at) as timely,
              sum(ceil(extract(epoch from (returned_at - started_at)) / 60)) filter (where returned_at is not null) as minutes,
              sum(prepaid_amount + settled_amount) filter (where status not in ('failed', 'pending')) as spent,
              sum(points_paid) filter (where status not in ('failed', 'pending')) as points_spent,
              sum(due_amount) as due
         from rental where user_id = ?`,
      [userId],
    ),
    em.execute<{ points: string | null }[]>(
      `select sum(points) as points from points_transaction where user_id = ? and type in ('rental_reward', 'timely_return')`,
      [userId],
    ),
    em.execute<{ sn: string }[]>(
      `select st.serial_number as sn from rental r join station st on st.id = r.start_station_id
        where r.user_id = ? and r.status not in ('failed', 'cancelled') group by st.serial_number order by count(*) desc limit 1`,
      [userId],
    ),
    em.findOne(Wallet, { user: userId }, { fields: ['currency'] }),
  ]);
  const currency = wallet?.currency ?? 'USD';
  const completed = Number(stats?.completed ?? 0);
  const minutes = Number(stats?.minutes ?? 0);
  return {
    total_rentals: Number(stats?.total ?? 0),
    completed_rentals: completed,
    active_rentals: Number(stats?.active ?? 0),
    failed_rentals: Number(stats?.failed ?? 0),
    timely_returns: Number(stats?.timely ?? 0),
    total_minutes: minutes,
    average_minutes: completed > 0 ? Math.round(minutes / completed) : 0,
    total_spent: formatMoney(Number(stats?.spent ?? 0), currency),
    points_spent: Number(stats?.points_spent ?? 0),
    points_earned_from_rentals: Number(earned?.points ?? 0),
    due: formatMoney(Number(stats?.due ?? 0), currency),
    favourite_station_sn: favourite?.sn ?? null,
  };
}
