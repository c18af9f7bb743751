import { ISSUE_STATUSES } from '@powerbank/db';
import { z } from 'zod';
import { queryBoolean } from '../../platform/query-input.ts';
import { CursorInput, cursorPage } from './admin-cursor.ts';
import { AdminReason } from './users.schemas.ts';

export const ISSUE_KINDS = ['station', 'rental'] as const;
export type IssueKind = (typeof ISSUE_KINDS)[number];

export const IssueQueueInput = CursorInput.extend({
  kind: z.enum(ISSUE_KINDS),
  /** Omitted: the unfinished ones (open and in progress). */
  status: z.enum(ISSUE_STATUSES).optional(),
  /** Only those assigned to the caller. */
  mine: queryBoolean().optional(),
});
export type IssueQueueInput = z.infer<typeof IssueQueueInput>;

export const IssueItem = z.object({
  id: z.string(),
  kind: z.enum(ISSUE_KINDS),
  /** The station's or the rental's id. */
  subjectId: z.string(),
  reporterId: z.string(),
  issueType: z.string(),
  description: z.string(),
  status: z.enum(ISSUE_STATUSES),
  /** The AdminProfile id of the staff member working on it. */
  assignedTo: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  mediaIds: z.array(z.string()),
  createdAt: z.date(),
  resolvedAt: z.date().nullable(),
});
export type IssueItem = z.infer<typeof IssueItem>;
export const IssueQueueOutput = cursorPage(IssueItem);
export type IssueQueueOutput = z.infer<typeof IssueQueueOutput>;

const IssueRef = { kind: z.enum(ISSUE_KINDS), issueId: z.uuid() };

export const AssignIssueInput = z
  .object({
    ...IssueRef,
    /** The staff member's user id; omitted → the caller. */
    assigneeUserId: z.uuid().optional(),
  })
  .strict();
export type AssignIssueInput = z.infer<typeof AssignIssueInput>;

export const ResolveIssueInput = z
  .object({ ...IssueRef, outcome: z.enum(['resolved', 'rejected']), reason: AdminReason })
  .strict();
export type ResolveIssueInput = z.infer<typeof ResolveIssueInput>;
