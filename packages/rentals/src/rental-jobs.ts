import type { EntityManager } from '@mikro-orm/postgresql';
import type { RentalEvent } from '@powerbank/machines';
import { readRentalConfig } from './rental-config.ts';
import { applyRentalEvent } from './rental-events.ts';
import type { RentalRecord } from './rental-record.ts';

export interface JobCounts {
  dueSoon: number;
  overdue: number;
  lost: number;
  returned: number;
  /** Claimed rentals whose event the machine refused (already applied): work done twice. */
  refused: number;
  /** Rentals whose timer threw; the rest went on (see `onFailed`). */
  failed: number;
}

/** Which timer a rental was claimed for. */
export type RentalJob = 'dueSoon' | 'overdue' | 'lost' | 'returned';

export interface RentalJobFailure {
  job: RentalJob;
  rentalId: string;
  error: unknown;
}

export interface ReconcileHooks {
  /** Reconciliation applied a return to this rental (committed; settled unless something stopped it). */
  onReturned?: (rental: RentalRecord) => void;
  /** A rental's timer failed (rolled back); it is tried again on the next run. */
  onFailed?: (failure: RentalJobFailure) => void;
}

export interface StalePending {
  rentalId: string;
  stationSn: string;
  commandId: string;
}

/**
 * One timer: which rentals it is for (a condition on `rental r`, re-checked when a rental is
 * claimed) and the event it applies to each.
 */
interface Timer {
  job: RentalJob;
  /** What the claim reads for the event (default the id alone). */
  columns?: string;
  from: string;
  where: string;
  params: unknown[];
  event: (row: TimerRow) => RentalEvent;
}

interface TimerRow {
  id: string;
  sn?: string;
  slot?: number;
  placed?: Date;
}

/**
 * The rental timers, run by every core instance on an interval. Correct with
 * several instances at once: candidates are read without locks, then each
 * rental is claimed in its own transaction (`for update skip locked`, its
 * condition checked again under the lock) and its event applied in that same
 * transaction — a rental another instance holds is skipped, not waited for,
 * and one it has just handled no longer matches. Each rental is on its own: a
 * failure rolls back that rental alone, is reported to `onFailed` and counted,
 * and the other rentals and timers go on.
 */
export async function runRentalTimers(
  em: EntityManager,
  now = new Date(),
  hooks: ReconcileHooks = {},
): Promise<JobCounts> {
  const config = await readRentalConfig(em);
  const counts: JobCounts = { dueSoon: 0, overdue: 0, lost: 0, returned: 0, refused: 0, failed: 0 };
  const timers: Timer[] = [
    {
      job: 'dueSoon',
      from: 'rental r',
      where: `r.status = 'active' and r.due_at > ? and r.due_at <= ?
         and not exists (select 1 from notification n where n.user_id = r.user_id and n.dedupe_key = 'rental:' || r.id || ':rental_due_soon')`,
      params: [now, new Date(now.getTime() + config.due_soon_minutes * 60_000)],
      event: () => ({ type: 'DUE_SOON' }),
    },
    {
      job: 'overdue',
      from: 'rental r',
      where: `r.status = 'active' and r.due_at <= ?`,
      params: [now],
      event: () => ({ type: 'OVERDUE' }),
    },
    {
      job: 'lost',
      from: 'rental r',
      where: `r.status = 'overdue' and r.due_at <= ?`,
      params: [new Date(now.getTime() - config.lost_after_overdue_hours * 3_600_000)],
      event: () => ({ type: 'MAX_REACHED' }),
    },
    returnsMissed,
  ];
  for (const timer of timers) {
    for (const outcome of await runTimer(em, timer, now, hooks)) {
      if (outcome === 'applied') counts[timer.job] += 1;
      else counts[outcome] += 1;
    }
  }
  return counts;
}

/**
 * A return event is a core NATS message and can be missed (runner down at
 * that moment). The station actor has still put the power bank back in a slot:
 * an open rental whose power bank sits in a slot since after the rental
 * started is returned there, billed to when the station put it there
 * (`placed_at`, as the event would have been), not to when station-core wrote
 * it or this runs: a backlog must not charge overage. Never before the rental
 * started (a station clock behind); a bank placed before `placed_at` existed
 * has its last write.
 */
const returnsMissed: Timer = {
  job: 'returned',
  columns: `r.id, st.serial_number as sn, pb.current_slot_index as slot,
            greatest(coalesce(pb.placed_at, pb.last_seen_at), r.started_at) as placed`,
  from: `rental r join power_bank pb on pb.id = r.power_bank_id join station st on st.id = pb.current_station_id`,
  where: `r.status in ('active', 'overdue') and pb.status = 'in_slot' and pb.last_seen_at > r.started_at`,
  params: [],
  event: (row) => ({
    type: 'RETURNED',
    stationSn: String(row.sn),
    slot: Number(row.slot),
    at: new Date(row.placed ?? Date.now()).getTime(),
  }),
};

/** Runs only the missed-returns timer (see `returnsMissed`); answers how many it returned. */
export async function reconcileReturns(em: EntityManager, hooks: ReconcileHooks = {}): Promise<number> {
  const outcomes = await runTimer(em, returnsMissed, new Date(), hooks);
  return outcomes.filter((outcome) => outcome === 'applied').length;
}

type Outcome = 'applied' | 'refused' | 'failed';

async function runTimer(
  em: EntityManager,
  timer: Timer,
  now: Date,
  hooks: ReconcileHooks,
): Promise<Outcome[]> {
  const candidates = await em.execute<{ id: string }[]>(
    `select r.id from ${timer.from} where ${timer.where} order by r.id limit 500`,
    timer.params,
  );
  const outcomes: Outcome[] = [];
  for (const { id } of candidates) {
    try {
      const claimed = await em.fork().transactional(async (tem) => {
        // Under the lock the condition is read again: a rental another run has just handled no longer matches.
        const [row] = await tem.execute<TimerRow[]>(
          `select ${timer.columns ?? 'r.id'} from ${timer.from} where r.id = ? and ${timer.where} for update of r skip locked`,
          [id, ...timer.params],
        );
        return row ? applyRentalEvent(tem, id, timer.event(row), { now }) : undefined;
      });
      if (claimed && !claimed.applied) outcomes.push('refused');
      if (!claimed?.applied) continue;
      outcomes.push('applied');
      // Committed by now: the hook may announce it.
      if (timer.job === 'returned') hooks.onReturned?.(claimed.rental);
    } catch (error) {
      outcomes.push('failed');
      hooks.onFailed?.({ job: timer.job, rentalId: id, error });
    }
  }
  return outcomes;
}

/**
 * Rentals still pending well after the dispense should have answered: the
 * api died after committing, or its request never reached a core. The runner
 * asks again with the same command id (never a second eject) and applies the
 * answer.
 */
export async function stalePendingRentals(em: EntityManager, olderThanMs: number): Promise<StalePending[]> {
  const rows = await em.execute<{ id: string; sn: string; command_id: string }[]>(
    `select r.id, st.serial_number as sn, r.dispense_command_id as command_id
       from rental r join station st on st.id = r.start_station_id
      where r.status in ('pending', 'dispensing') and r.created_at < ? and r.dispense_command_id is not null
      order by r.created_at limit 200`,
    [new Date(Date.now() - olderThanMs)],
  );
  return rows.map((row) => ({ rentalId: row.id, stationSn: row.sn, commandId: row.command_id }));
}
