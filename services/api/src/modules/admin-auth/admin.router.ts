import { adminProcedure, router } from '../../trpc/trpc.ts';
import { analyticsRouter } from '../admin/analytics/index.ts';
import { SuspendUserInput, UserStatusOutput } from './admin.schemas.ts';
import { suspendUser } from './admin-users.service.ts';

/** Admin procedures: each declares the roles that may call it (super_admin always may). */
export const adminRouter = router({
  users: router({
    suspend: adminProcedure(['operations', 'support'])
      .meta({
        openapi: {
          method: 'POST',
          path: '/admin/users/{userId}/suspend',
          tags: ['admin'],
          protect: true,
          summary: 'Suspend a user (operations, support): sessions revoked, sign-in refused',
        },
      })
      .input(SuspendUserInput)
      .output(UserStatusOutput)
      .mutation(({ ctx, input }) => suspendUser(ctx, input)),
  }),
  analytics: analyticsRouter,
});
