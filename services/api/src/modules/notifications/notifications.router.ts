import { z } from 'zod';
import { authedProcedure, router } from '../../trpc/trpc.ts';
import {
  DeletedOutput,
  InboxInput,
  InboxOutput,
  MarkAllReadOutput,
  NoticeIdInput,
  NoticeOutput,
} from './notifications.schemas.ts';
import { deleteNotice, listInbox, markAllRead, markRead } from './notifications.service.ts';

const openapi = (method: 'GET' | 'POST' | 'DELETE', path: `/${string}`, summary: string) => ({
  openapi: { method, path, tags: ['notifications'], protect: true, summary },
});

/** The caller's inbox: only their own notices are ever read or changed (another's id is 404). */
export const notificationsRouter = router({
  list: authedProcedure
    .meta(
      openapi(
        'GET',
        '/user/notifications',
        'My notifications, newest first (cursor or page; type, unread_only), with the unread count',
      ),
    )
    .input(InboxInput)
    .output(InboxOutput)
    .query(({ ctx, input }) => listInbox(ctx.em, ctx.auth.user.id, input)),

  // Declared before `/user/notification/{id}`'s siblings for clarity; the paths differ anyway.
  markAllRead: authedProcedure
    .meta(openapi('POST', '/user/notifications/mark-all-read', 'Mark every notification of mine read'))
    .input(z.object({}).strict())
    .output(MarkAllReadOutput)
    .mutation(({ ctx }) => markAllRead(ctx.em, ctx.auth.user.id)),

  markRead: authedProcedure
    .meta(openapi('POST', '/user/notification/{id}', 'Mark one notification of mine read'))
    .input(NoticeIdInput)
    .output(NoticeOutput)
    .mutation(({ ctx, input }) => markRead(ctx.em, ctx.auth.user.id, input.id)),

  remove: authedProcedure
    .meta(openapi('DELETE', '/user/notification/{id}', 'Delete one notification of mine from the inbox'))
    .input(NoticeIdInput)
    .output(DeletedOutput)
    .mutation(({ ctx, input }) => deleteNotice(ctx.em, ctx.auth.user.id, input.id)),
});
