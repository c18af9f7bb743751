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
}

export interface ReconcileHooks {
  /** Reconciliation applied a return to this rental (committed; settled unless something stopped it). */
  onReturned?: (rental: RentalRecord) => void;
}

export interface StalePending {
  rentalId: string;
  stationSn: string;
  commandId: string;
}

/**
 * The rental timers, run by every core instance on an interval. Correct with
 * several instances at once: each candidate is applied through
 * `applyRentalEvent`, which locks the row and lets the machine refuse an
 * event already applied (a second OVERDUE, a second MAX_REACHED), and
 * notifications carry per-rental dedupe keys — nothing is sent or fined twice.
 * Candidates are picked with `skip locked`, so instances mostly take
 * different rows instead of queueing on the same ones.
 */
export async function runRentalTimers(
  em: EntityManager,
  now = new Date(),
  hooks: ReconcileHooks = {},
): Promise<JobCounts> {
  const config = await readRentalConfig(em);
  const counts: JobCounts = { dueSoon: 0, overdue: 0, lost: 0, returned: 0 };
  const pick = (sql: string, params: unknown[]) =>
    em.execute<{ id: string }[]>(`${sql} limit 500 for update skip locked`, params);
  const run = async (ids: { id: string }[], event: RentalEvent, field: keyof JobCounts) => {
    for (const { id } of ids) {
      if ((await applyRentalEvent(em.fork(), id, event, { now })).applied) counts[field] += 1;
    }
  };

  await run(
    await pick(
      `select r.id from rental r where r.status = 'active' and r.due_at > ? and r.due_at <= ?
         and not exists (select 1 from notification n where n.user_id = r.user_id and n.dedupe_key = 'rental:' || r.id || ':rental_due_soon')`,
      [now, new Date(now.getTime() + config.due_soon_minutes * 60_000)],
    ),
    { type: 'DUE_SOON' },
    'dueSoon',
  );
  await run(
    await pick(`select id from rental where status = 'active' and due_at <= ?`, [now]),
    { type: 'OVERDUE' },
    'overdue',
  );
  await run(
    await pick(`select id from rental where status = 'overdue' and due_at <= ?`, [
      new Date(now.getTime() - config.lost_after_overdue_hours * 3_600_000),
    ]),
    { type: 'MAX_REACHED' },
    'lost',
  );
  counts.returned = await reconcileReturns(em, hooks);
  return counts;
}

/**
 * A return event is a core NATS message and can be missed (runner down at
 * that moment). The station actor has still put the power bank back in a slot:
 * an open rental whose power bank sits in a slot since after the rental
 * started is returned there.
 */
export async function reconcileReturns(em: EntityManager, hooks: ReconcileHooks = {}): Promise<number> {
  const rows = await em.execute<{ id: string; sn: string; slot: number; seen: Date }[]>(
    `select r.id, st.serial_number as sn, pb.current_slot_index as slot, pb.last_seen_at as seen
       from rental r join power_bank pb on pb.id = r.power_bank_id join station st on st.id = pb.current_station_id
      where r.status in ('active', 'overdue') and pb.status = 'in_slot' and pb.last_seen_at > r.started_at
      limit 500`,
  );
  let applied = 0;
  for (const row of rows) {
    const event: RentalEvent = {
      type: 'RETURNED',
      stationSn: row.sn,
      slot: row.slot,
      at: new Date(row.seen).getTime(),
    };
    const result = await applyRentalEvent(em.fork(), row.id, event);
    if (!result.applied) continue;
    applied += 1;
    hooks.onReturned?.(result.rental);
  }
  return applied;
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
