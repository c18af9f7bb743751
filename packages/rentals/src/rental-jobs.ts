import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type DB,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Prepared,
  prepared,
  runPrepared,
  type SqlBool,
  sql,
  type Wire,
} from '@powerbank/db';
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

/** A rental as the timers read it (`rental as r`). */
type RentalScope = ExpressionBuilder<DB & { r: DB['rental'] }, 'r'>;

/** The rentals a timer is for, as a condition on `rental r` over its parameters `P`. */
type RentalCondition<P> = (eb: RentalScope, p: P) => Expression<SqlBool>;

/**
 * One timer: which rentals it is for — its candidates, read without locks, and its claim of one
 * of them, the same condition read again under the rental's lock — and the event it applies.
 * Both queries are compiled once (prepared statements); a run binds the timer's parameters.
 */
interface Timer<P extends object> {
  job: RentalJob;
  candidates: Prepared<P, Pick<DB['rental'], 'id'>>;
  claim: Prepared<P & { id: string }, TimerRow>;
  event: (row: Wire<TimerRow>) => RentalEvent;
}

interface TimerRow {
  id: string;
  sn?: string;
  slot?: number | null;
  placed?: Date;
}

/** A timer over the rental's own row: its claim reads the id alone. */
function rentalTimer<P extends object>(
  job: RentalJob,
  condition: RentalCondition<P>,
  event: () => RentalEvent,
): Timer<P> {
  return {
    job,
    candidates: prepared((db, p: P) =>
      db
        .selectFrom('rental as r')
        .select('r.id')
        .where((eb) => condition(eb, p))
        .orderBy('r.id')
        .limit(500),
    ),
    claim: prepared((db, p: P & { id: string }) =>
      db
        .selectFrom('rental as r')
        .select('r.id')
        .where('r.id', '=', p.id)
        .where((eb) => condition(eb, p))
        .forUpdate('r')
        .skipLocked(),
    ),
    event,
  };
}

const DUE_SOON = rentalTimer(
  'dueSoon',
  (eb, p: { from: Date; to: Date }) =>
    eb.and([
      eb('r.status', '=', 'active'),
      eb('r.due_at', '>', p.from),
      eb('r.due_at', '<=', p.to),
      eb.not(
        eb.exists(
          eb
            .selectFrom('notification as n')
            .select(sql`1`.as('one'))
            .whereRef('n.user_id', '=', 'r.user_id')
            .where('n.dedupe_key', '=', sql<string>`'rental:' || ${eb.ref('r.id')} || ':rental_due_soon'`),
        ),
      ),
    ]),
  () => ({ type: 'DUE_SOON' }),
);
const OVERDUE = rentalTimer(
  'overdue',
  (eb, p: { dueBy: Date }) => eb.and([eb('r.status', '=', 'active'), eb('r.due_at', '<=', p.dueBy)]),
  () => ({ type: 'OVERDUE' }),
);
const LOST = rentalTimer(
  'lost',
  (eb, p: { dueBy: Date }) => eb.and([eb('r.status', '=', 'overdue'), eb('r.due_at', '<=', p.dueBy)]),
  () => ({ type: 'MAX_REACHED' }),
);

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
  const day = (ms: number) => new Date(now.getTime() + ms);
  const runs = [
    runTimer(em, DUE_SOON, { from: now, to: day(config.due_soon_minutes * 60_000) }, now, hooks),
    runTimer(em, OVERDUE, { dueBy: now }, now, hooks),
    runTimer(em, LOST, { dueBy: day(-config.lost_after_overdue_hours * 3_600_000) }, now, hooks),
    runTimer(em, RETURNS_MISSED, {}, now, hooks),
  ];
  // One after the other, in this order: a rental made overdue above may be found lost below.
  for (const run of runs) {
    const { job, outcomes } = await run();
    for (const outcome of outcomes) {
      if (outcome === 'applied') counts[job] += 1;
      else counts[outcome] += 1;
    }
  }
  return counts;
}

/**
 * A return event is a core NATS message and can be missed (runner down at
 * that moment). The station actor has still put the power bank back in a slot:
 * an open rental whose power bank sits in a slot is returned there. That
 * includes a bank put back before a late eject success opened its rental (the
 * station answered after the timeout, and the return overtook the answer):
 * station-core leaves such a bank in its slot rather than marking it rented.
 * It is billed to when the station put it there
 * (`placed_at`, as the event would have been), not to when station-core wrote
 * it or this runs: a backlog must not charge overage. Never before the rental
 * started (a station clock behind); a bank placed before `placed_at` existed
 * has its last write.
 */
const RETURNS_MISSED: Timer<Record<never, never>> = (() => {
  const returned = (db: Kysely<DB>) =>
    db
      .selectFrom('rental as r')
      .innerJoin('power_bank as pb', 'pb.id', 'r.power_bank_id')
      .innerJoin('station as st', 'st.id', 'pb.current_station_id')
      .where('r.status', 'in', ['active', 'overdue'])
      .where('pb.status', '=', 'in_slot');
  return {
    job: 'returned',
    candidates: prepared((db) => returned(db).select('r.id').orderBy('r.id').limit(500)),
    claim: prepared((db, p: { id: string }) =>
      returned(db)
        .select((eb) => [
          'r.id',
          'st.serial_number as sn',
          'pb.current_slot_index as slot',
          sql<Date>`greatest(coalesce(${eb.ref('pb.placed_at')}, ${eb.ref('pb.last_seen_at')}), ${eb.ref('r.started_at')})`.as(
            'placed',
          ),
        ])
        .where('r.id', '=', p.id)
        .forUpdate('r')
        .skipLocked(),
    ),
    event: (row) => ({
      type: 'RETURNED',
      stationSn: String(row.sn),
      slot: Number(row.slot),
      at: new Date(row.placed ?? Date.now()).getTime(),
    }),
  };
})();

/** Runs only the missed-returns timer (see `returnsMissed`); answers how many it returned. */
export async function reconcileReturns(em: EntityManager, hooks: ReconcileHooks = {}): Promise<number> {
  const { outcomes } = await runTimer(em, RETURNS_MISSED, {}, new Date(), hooks)();
  return outcomes.filter((outcome) => outcome === 'applied').length;
}

type Outcome = 'applied' | 'refused' | 'failed';

/** A timer's run over its candidates, to be started when its turn comes. */
function runTimer<P extends object>(
  em: EntityManager,
  timer: Timer<P>,
  params: P,
  now: Date,
  hooks: ReconcileHooks,
): () => Promise<{ job: RentalJob; outcomes: Outcome[] }> {
  return async () => {
    const candidates = await runPrepared(em, timer.candidates, params);
    const outcomes: Outcome[] = [];
    for (const { id } of candidates) {
      try {
        const claimed = await em.fork().transactional(async (tem) => {
          // Under the lock the condition is read again: a rental another run has just handled no longer matches.
          const [row] = await runPrepared(tem, timer.claim, { ...params, id });
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
    return { job: timer.job, outcomes };
  };
}

/**
 * Rentals still pending well after the dispense should have answered: the
 * api died after committing, or its request never reached a core. The runner
 * asks again with the same command id (never a second eject) and applies the
 * answer.
 */
export async function stalePendingRentals(em: EntityManager, olderThanMs: number): Promise<StalePending[]> {
  const rows = await runPrepared(em, STALE_PENDING, { before: new Date(Date.now() - olderThanMs) });
  return rows.map((row) => ({ rentalId: row.id, stationSn: row.sn, commandId: row.command_id ?? '' }));
}

const STALE_PENDING = prepared((db, p: { before: Date }) =>
  db
    .selectFrom('rental as r')
    .innerJoin('station as st', 'st.id', 'r.start_station_id')
    .select(['r.id', 'st.serial_number as sn', 'r.dispense_command_id as command_id'])
    .where('r.status', 'in', ['pending', 'dispensing'])
    .where('r.created_at', '<', p.before)
    .where('r.dispense_command_id', 'is not', null)
    .orderBy('r.created_at')
    .limit(200),
);
