import { adminProcedure, router } from '../../trpc/trpc.ts';
import { adminRest } from './admin-route.ts';
import {
  AssignIssueInput,
  IssueItem,
  IssueQueueInput,
  IssueQueueOutput,
  ResolveIssueInput,
} from './issues.schemas.ts';
import { assignIssue, issueQueue, resolveIssue } from './issues.service.ts';

const HANDLERS = ['operations', 'support'] as const;

/** Station and rental issue reports: list, assign, resolve. */
export const adminIssuesRouter = router({
  list: adminProcedure(HANDLERS)
    .meta(adminRest('GET', '/issues', 'Station or rental issue reports (unfinished by default, cursor)'))
    .input(IssueQueueInput)
    .output(IssueQueueOutput)
    .query(({ ctx, input }) => issueQueue(ctx.em, ctx.admin, input)),

  assign: adminProcedure(HANDLERS)
    .meta(
      adminRest(
        'POST',
        '/issues/{kind}/{issueId}/assign',
        'Give an issue to a staff member (yourself by default)',
      ),
    )
    .input(AssignIssueInput)
    .output(IssueItem)
    .mutation(({ ctx, input }) => assignIssue(ctx, input)),

  resolve: adminProcedure(HANDLERS)
    .meta(
      adminRest(
        'POST',
        '/issues/{kind}/{issueId}/resolve',
        'Close an issue as resolved or rejected; the reporter is told',
      ),
    )
    .input(ResolveIssueInput)
    .output(IssueItem)
    .mutation(({ ctx, input }) => resolveIssue(ctx, input)),
});
