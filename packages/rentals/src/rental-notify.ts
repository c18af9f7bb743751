import { type Statement, statementOf } from '@powerbank/db';
import { IN_APP_NOTICE, type InAppNoticeParams } from '@powerbank/engagement';
import { uuidv7 } from 'uuidv7';

export interface RentalNotice {
  userId: string;
  rentalId: string;
  /** rental_started, rental_failed, rental_due_soon, rental_overdue, rental_returned, rental_charged, rental_due, rental_lost… */
  type: string;
  title: string;
  body: string;
  payload?: Record<string, unknown>;
}

/**
 * The insert of an in-app notification, at most once per rental and type: the
 * dedupe key (`rental:<id>:<type>`) makes a job or event processed twice, by
 * one instance or two, write one row. `on conflict do nothing` keeps the
 * caller's transaction alive on a duplicate. Written with the rental's own
 * update (`saveRental`), in the same round trip.
 */
export function noticeStatement(notice: RentalNotice): Statement {
  return statementOf(IN_APP_NOTICE, noticeParams(notice));
}

/** What a rental's notice binds: its row's values, the dedupe key from the rental and type. */
export function noticeParams(notice: RentalNotice): InAppNoticeParams {
  return {
    id: uuidv7(),
    userId: notice.userId,
    type: notice.type,
    title: notice.title,
    body: notice.body,
    payload: { rentalId: notice.rentalId, ...notice.payload },
    dedupeKey: `rental:${notice.rentalId}:${notice.type}`,
  };
}
