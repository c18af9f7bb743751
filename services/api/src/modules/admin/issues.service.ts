import { LockMode } from '@mikro-orm/core';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AdminProfile, RentalIssue, StationIssue } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { notifyUser } from '../../platform/notify-user.ts';
import type { Context } from '../../trpc/context.ts';
import { type AdminCaller, adminMutation } from '../admin-auth/admin-action.ts';
import { keysetPage } from './admin-cursor.ts';
import type {
  AssignIssueInput,
  IssueItem,
  IssueKind,
  IssueQueueInput,
  IssueQueueOutput,
  ResolveIssueInput,
} from './issues.schemas.ts';

type AdminContext = Context & { admin: AdminCaller };
type Issue = StationIssue | RentalIssue;

/** The two kinds of report share their shape; each names its subject differently. */
const KINDS = {
  station: { entity: StationIssue, subject: (issue: Issue) => (issue as StationIssue).station.id },
  rental: { entity: RentalIssue, subject: (issue: Issue) => (issue as RentalIssue).rental.id },
} as const;

const UNFINISHED = ['open', 'in_progress'] as const;

function issueItem(kind: IssueKind, issue: Issue): IssueItem {
  return {
    id: issue.id,
    kind,
    subjectId: KINDS[kind].subject(issue),
    reporterId: issue.user.id,
    issueType: issue.issueType,
    description: issue.description,
    status: issue.status,
    assignedTo: issue.assignedTo?.id ?? null,
    resolutionNote: issue.resolutionNote ?? null,
    mediaIds: issue.media.isInitialized() ? issue.media.getItems().map((m) => m.id) : [],
    createdAt: issue.createdAt,
    resolvedAt: issue.resolvedAt ?? null,
  };
}

/** Station or rental reports, newest first: the unfinished ones unless a status is asked. */
export async function issueQueue(
  em: EntityManager,
  admin: AdminCaller,
  input: IssueQueueInput,
): Promise<IssueQueueOutput> {
  const where: FilterQuery<Issue> = {
    status: input.status ?? { $in: [...UNFINISHED] },
    ...(input.mine ? { assignedTo: admin.id } : {}),
  };
  const page = await keysetPage<Issue>(em, KINDS[input.kind].entity, where, input, 'createdAt', ['media']);
  return { results: page.rows.map((issue) => issueItem(input.kind, issue)), nextCursor: page.nextCursor };
}

/** The issue, locked until the transaction ends, or 404; 409 once it is finished. */
async function lockUnfinished(tx: EntityManager, kind: IssueKind, issueId: string): Promise<Issue> {
  const issue = await tx.findOne<Issue>(
    KINDS[kind].entity,
    { id: issueId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!issue) throw new DomainError('NOT_FOUND', `no such ${kind} issue`);
  if (!(UNFINISHED as readonly string[]).includes(issue.status)) {
    throw new DomainError('CONFLICT', `the issue is already ${issue.status}`, { status: issue.status });
  }
  return issue;
}

/** Gives an unfinished issue to a staff member (the caller by default); an open one is then in progress. */
export function assignIssue(ctx: AdminContext, input: AssignIssueInput): Promise<IssueItem> {
  return adminMutation(ctx, `${input.kind}_issue.assign`, async (tx) => {
    const issue = await lockUnfinished(tx, input.kind, input.issueId);
    const assignee = input.assigneeUserId
      ? await tx.findOne(AdminProfile, { user: input.assigneeUserId, isActive: true })
      : tx.getReference(AdminProfile, ctx.admin.id);
    if (!assignee) throw new DomainError('VALIDATION_FAILED', 'the assignee is not active staff');
    const before = { status: issue.status, assignedTo: issue.assignedTo?.id ?? null };
    issue.assignedTo = assignee;
    if (issue.status === 'open') issue.status = 'in_progress';
    return {
      result: issueItem(input.kind, issue),
      targetType: `${input.kind}_issue`,
      targetId: issue.id,
      before,
      after: { status: issue.status, assignedTo: assignee.id },
    };
  });
}

/** Closes an unfinished issue as resolved or rejected, with a note the reporter is told. */
export function resolveIssue(ctx: AdminContext, input: ResolveIssueInput): Promise<IssueItem> {
  return adminMutation(
    ctx,
    `${input.kind}_issue.${input.outcome === 'resolved' ? 'resolve' : 'reject'}`,
    async (tx) => {
      const issue = await lockUnfinished(tx, input.kind, input.issueId);
      const before = { status: issue.status };
      issue.status = input.outcome;
      issue.resolutionNote = input.reason;
      issue.resolvedAt = new Date();
      notifyUser(tx, {
        userId: issue.user.id,
        type: `issue_${input.outcome}`,
        title: input.outcome === 'resolved' ? 'Your report was resolved' : 'Your report was closed',
        body: input.reason,
        payload: { kind: input.kind, issueId: issue.id },
        dedupeKey: `${input.kind}_issue:${issue.id}`,
      });
      return {
        result: issueItem(input.kind, issue),
        targetType: `${input.kind}_issue`,
        targetId: issue.id,
        before,
        after: { status: issue.status },
        reason: input.reason,
      };
    },
  );
}
