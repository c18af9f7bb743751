import type { Statement } from '@powerbank/db';
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
  return {
    text: `insert into notification (id, user_id, type, channel, title, body, payload, status, dedupe_key, sent_at, created_at, updated_at)
     values ($1, $2, $3, 'in_app', $4, $5, $6, 'sent', $7, now(), now(), now())
     on conflict (user_id, dedupe_key) where dedupe_key is not null do nothing`,
    values: [
      uuidv7(),
      notice.userId,
      notice.type,
      notice.title,
      notice.body,
      JSON.stringify({ rentalId: notice.rentalId, ...notice.payload }),
      `rental:${notice.rentalId}:${notice.type}`,
    ],
  };
}
