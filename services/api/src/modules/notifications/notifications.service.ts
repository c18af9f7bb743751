import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { Notification } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { cursorPageOf, offsetOf } from '../../platform/pagination.ts';
import type { InboxInput, InboxOutput, NoticeOutput } from './notifications.schemas.ts';

const noticeOf = (n: Notification): NoticeOutput => ({
  id: n.id,
  type: n.type,
  title: n.title,
  body: n.body,
  payload: n.payload ?? null,
  read: n.readAt !== null && n.readAt !== undefined,
  read_at: n.readAt ?? null,
  created_at: n.createdAt,
});

/** The caller's notices not deleted: the filter every inbox read and write starts from. */
const mine = (userId: string) => ({ user: userId, deletedAt: null });

const unreadCount = (em: EntityManager, userId: string) =>
  em.count(Notification, { ...mine(userId), readAt: null } as FilterQuery<Notification>);

/**
 * The caller's inbox, newest first: keyset pages by id with a cursor (UUIDv7 ids are time-ordered),
 * else numbered pages; optionally one type or only the unread; with the unread count.
 */
export async function listInbox(em: EntityManager, userId: string, input: InboxInput): Promise<InboxOutput> {
  const where = {
    ...mine(userId),
    ...(input.type ? { type: input.type } : {}),
    ...(input.unread_only ? { readAt: null } : {}),
  } as FilterQuery<Notification>;
  const paged = (
    input.cursor ? { $and: [where, { id: { $lt: input.cursor } }] } : where
  ) as FilterQuery<Notification>;
  const [rows, total, unread] = await Promise.all([
    em.find(Notification, paged, {
      orderBy: { id: 'desc' },
      limit: input.page_size + 1,
      offset: input.cursor ? 0 : offsetOf(input),
    }),
    em.count(Notification, where),
    unreadCount(em, userId),
  ]);
  return { ...cursorPageOf(rows.map(noticeOf), input, total), unread_count: unread };
}

/** Marks one of the caller's notices read (again: no change); another user's or a deleted one is 404. */
export async function markRead(em: EntityManager, userId: string, id: string): Promise<NoticeOutput> {
  // One conditional statement: the owner check and the write cannot be split by a concurrent delete.
  await em.nativeUpdate(Notification, { ...mine(userId), id, readAt: null } as FilterQuery<Notification>, {
    readAt: new Date(),
    status: 'read',
  });
  const notice = await em.findOne(Notification, { ...mine(userId), id } as FilterQuery<Notification>);
  if (!notice) throw new DomainError('NOT_FOUND', 'no such notification');
  return noticeOf(notice);
}

export async function markAllRead(em: EntityManager, userId: string) {
  const marked = await em.nativeUpdate(
    Notification,
    { ...mine(userId), readAt: null } as FilterQuery<Notification>,
    { readAt: new Date(), status: 'read' },
  );
  return { marked, unread_count: await unreadCount(em, userId) };
}

/** Removes one of the caller's notices from the inbox (kept for the delivery log); others' are 404. */
export async function deleteNotice(em: EntityManager, userId: string, id: string) {
  const deleted = await em.nativeUpdate(Notification, { ...mine(userId), id } as FilterQuery<Notification>, {
    deletedAt: new Date(),
  });
  if (deleted === 0) throw new DomainError('NOT_FOUND', 'no such notification');
  return { id, deleted: true as const };
}
