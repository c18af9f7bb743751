import type { EntityManager } from '@mikro-orm/postgresql';
import { now, prepared, runPrepared } from '@powerbank/db';
import type { RentalStatus } from '@powerbank/domain';
import { IN_APP_NOTICE_COLUMNS, type InAppNoticeParams, inAppNoticeValues } from '@powerbank/engagement';
import { type RentalEffect, type RentalEvent, type RentalState, rentalStep } from '@powerbank/machines';
import type { RentalConfig } from './rental-config.ts';
import {
  type Applied,
  activate,
  applyEventTo,
  applyEventUnlocked,
  applyRentalEvent,
  contextOf,
  type DispensedEvent,
  startedNotice,
} from './rental-events.ts';
import { noticeParams } from './rental-notify.ts';
import { type PackageRecord, RENTAL_FIELDS, type RentalRecord, rentalRecord } from './rental-record.ts';

/** A `core.dispense` reply or `core.evt.dispense` message, as both carry it. */
export type DispenseOutcome =
  | { ok: true; slot: number; powerBankSerial: string; late?: boolean }
  | { ok: false; reason: string; detail?: string };

const eventOf = (outcome: DispenseOutcome): RentalEvent =>
  outcome.ok
    ? { type: 'DISPENSED', slot: outcome.slot, powerBankSerial: outcome.powerBankSerial, late: outcome.late }
    : { type: 'DISPENSE_FAILED', reason: outcome.reason };

/**
 * Applies a station's dispense outcome to its rental. Called by the api with
 * the reply it got and by the rental runner with the event every outcome
 * publishes (including a late success after a timeout); whichever comes
 * second changes nothing.
 */
export function applyDispenseOutcome(
  em: EntityManager,
  rentalId: string,
  outcome: DispenseOutcome,
): Promise<Applied> {
  return applyRentalEvent(em, rentalId, eventOf(outcome));
}

/** The plain start's effects: nothing but the rental's own fields and its notice. */
const PLAIN_START: readonly RentalEffect[] = ['activate', 'notifyStarted'];

/** What the start's activation binds: the step's fields, the status it was decided from, its notice. */
export interface ActivateStartParams extends InAppNoticeParams {
  rentalId: string;
  /** The status the step was decided from: the update matches only while the rental still has it. */
  from: RentalStatus;
  to: RentalStatus;
  powerBankSerial: string;
  slot: number;
  startedAt: Date;
  dueAt: Date;
}

/**
 * The plain start's step written in one statement: the rental's fields (`activate`'s, the bank by
 * its serial as the locked read finds it) if its status is still the one the step was decided
 * from — Postgres re-checks that on the row it locks, so an event applied meanwhile makes it match
 * nothing — and the started notice from the updated row, so both commit or neither.
 */
export const ACTIVATE_START = prepared((db, p: ActivateStartParams) =>
  db
    .with('r', (qc) =>
      qc
        .updateTable('rental')
        .set((eb) => ({
          status: p.to,
          power_bank_id: eb
            .selectFrom('power_bank')
            .select('id')
            .where('serial_number', '=', p.powerBankSerial),
          start_slot_index: p.slot,
          started_at: p.startedAt,
          due_at: p.dueAt,
          failure_reason: null,
          updated_at: now(),
        }))
        .where('id', '=', p.rentalId)
        .where('status', '=', p.from)
        .returning(RENTAL_FIELDS),
    )
    .with('n', (qc) =>
      qc
        .insertInto('notification')
        .columns(IN_APP_NOTICE_COLUMNS)
        .expression(qc.selectFrom('r').select(inAppNoticeValues(p)))
        .onConflict((oc) =>
          oc.columns(['user_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing(),
        ),
    )
    .selectFrom('r')
    .select(RENTAL_FIELDS),
);

/** What the api knows of the rental it has just started: the row as its insert returned it, its package and settings. */
export interface StartedRental {
  rental: RentalRecord;
  pkg: PackageRecord;
  config: RentalConfig;
}

/**
 * The api's own dispense answer for the rental it has just started, in one round trip where
 * `applyDispenseOutcome` takes four (begin, the locked read, the write with its notice, commit) on
 * the start's answer path. The machine decides the step from the record the start's insert
 * returned; the step is written only while the row still has that status (`ACTIVATE_START`), and
 * the plain start changes nothing that another status-keeping event could have changed. Null when
 * it is not the plain start (a failure, a late success after one) or the rental left its status
 * meanwhile (the runner, a cancel): the caller then applies the outcome under the row lock.
 */
export async function activateStarted(
  em: EntityManager,
  start: StartedRental,
  outcome: DispenseOutcome,
): Promise<Applied | null> {
  if (!outcome.ok) return null;
  const { rental, pkg, config } = start;
  const event = eventOf(outcome) as DispensedEvent;
  const step = rentalStep(rental.status as RentalState, contextOf(rental, config), event);
  if (!step || step.effects.join() !== PLAIN_START.join()) return null;
  const next: RentalRecord = { ...rental, status: step.to };
  const at = new Date();
  activate(next, pkg, event, at);
  const [row] = await runPrepared(em, ACTIVATE_START, {
    ...noticeParams(startedNotice(next, event)),
    rentalId: rental.id,
    from: rental.status,
    to: step.to,
    powerBankSerial: event.powerBankSerial,
    slot: event.slot,
    startedAt: at,
    dueAt: next.dueAt ?? at,
  });
  return row ? { applied: true, rental: rentalRecord(em, row) } : null;
}

/**
 * Applies a power bank put into a slot: the open rental holding it (if any)
 * is returned and settled as of `report.at`, when the station put it there —
 * not when this runs, which a backlog can make much later. A return that moves
 * no money beyond its blind writes is applied without the row lock in two round
 * trips (`applyEventUnlocked`); any other, or one whose rental changed meanwhile,
 * under the lock (`LOCK_OPEN_WITH_BANK` finds and locks the rental in one statement).
 */
export async function applyPowerBankReturn(
  em: EntityManager,
  report: { sn: string; slot: number; powerBankSerial: string; at: number },
): Promise<Applied | null> {
  const target = { openWithBank: report.powerBankSerial };
  const event: RentalEvent = { type: 'RETURNED', stationSn: report.sn, slot: report.slot, at: report.at };
  return (await applyEventUnlocked(em, target, event)) ?? applyEventTo(em, target, event);
}
