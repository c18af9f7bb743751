import { z } from 'zod';
import { PageInput } from '../../platform/pagination.ts';
import { queryBoolean } from '../../platform/query-input.ts';
import { CursorPagination } from '../wallet/wallet.schemas.ts';

export const InboxInput = z
  .object({
    cursor: z.string().uuid().optional().describe('the last id of the previous page'),
    ...PageInput.shape,
    type: z.string().trim().min(1).max(60).optional().describe('one event type, e.g. rental_overdue'),
    unread_only: queryBoolean().optional(),
  })
  .strict();
export type InboxInput = z.infer<typeof InboxInput>;

export const NoticeOutput = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string(),
  body: z.string(),
  payload: z.record(z.string(), z.unknown()).nullable(),
  read: z.boolean(),
  read_at: z.date().nullable(),
  created_at: z.date(),
});
export type NoticeOutput = z.infer<typeof NoticeOutput>;

export const InboxOutput = z.object({
  results: z.array(NoticeOutput),
  pagination: CursorPagination,
  unread_count: z.number().int().describe('unread notices of the caller, whatever the filter'),
});
export type InboxOutput = z.infer<typeof InboxOutput>;

export const NoticeIdInput = z.object({ id: z.string().uuid() }).strict();
export type NoticeIdInput = z.infer<typeof NoticeIdInput>;

export const MarkAllReadOutput = z.object({ marked: z.number().int(), unread_count: z.number().int() });
export const DeletedOutput = z.object({ id: z.string(), deleted: z.literal(true) });
