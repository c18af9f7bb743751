import { adminProcedure, router } from '../../trpc/trpc.ts';
import { adminRest } from './admin-route.ts';
import { BroadcastInput, BroadcastOutput } from './broadcast.schemas.ts';
import { broadcast } from './broadcast.service.ts';
import {
  AdminActionsInput,
  AdminActionsOutput,
  MessageLogInput,
  MessageLogOutput,
  SystemLogInput,
  SystemLogOutput,
} from './system.schemas.ts';
import { adminActions, messageLog, systemLog } from './system.service.ts';

/** Viewers of the system's own logs, and the broadcast to a segment of users. */
export const adminSystemRouter = router({
  systemLog: adminProcedure(['operations'])
    .meta(
      adminRest(
        'GET',
        '/system/logs',
        'SystemLog by level, source, station and time range (a day by default; cursor)',
      ),
    )
    .input(SystemLogInput)
    .output(SystemLogOutput)
    .query(({ ctx, input }) => systemLog(ctx.em, input)),

  messageLog: adminProcedure(['operations', 'support'])
    .meta(
      adminRest('GET', '/system/messages', 'SMS and push messages sent (SMS_FCMLog; secrets masked; cursor)'),
    )
    .input(MessageLogInput)
    .output(MessageLogOutput)
    .query(({ ctx, input }) => messageLog(ctx.em, input)),

  adminActions: adminProcedure([])
    .meta(
      adminRest(
        'GET',
        '/system/admin-actions',
        'AdminActionLog: who did what to whom, why (super_admin; cursor)',
      ),
    )
    .input(AdminActionsInput)
    .output(AdminActionsOutput)
    .query(({ ctx, input }) => adminActions(ctx.em, input)),

  broadcast: adminProcedure(['operations'])
    .meta(
      adminRest(
        'POST',
        '/system/broadcast',
        'A notification to a segment of users (all, a city, active renters), logged with the count',
      ),
    )
    .input(BroadcastInput)
    .output(BroadcastOutput)
    .mutation(({ ctx, input }) => broadcast(ctx, input)),
});
