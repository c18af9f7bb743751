import { DELIVERY_STATUSES, LOG_LEVELS } from '@powerbank/db';
import { z } from 'zod';
import { inputDate } from '../../platform/query-input.ts';
import { CursorInput, cursorPage } from './admin-cursor.ts';

/** A time range: `from` defaults to a day before `to`, `to` to now — a log is always read over a bounded range. */
const Range = {
  from: inputDate().optional(),
  to: inputDate().optional(),
};

export const SystemLogInput = CursorInput.extend({
  ...Range,
  level: z.enum(LOG_LEVELS).optional(),
  source: z.string().trim().min(1).max(60).optional(),
  /** A station's serial: its own lines (station-core) and its rejected messages (mqtt-bridge). */
  stationSn: z.string().trim().min(1).max(64).optional(),
});
export type SystemLogInput = z.infer<typeof SystemLogInput>;

export const SystemLogItem = z.object({
  id: z.string(),
  occurredAt: z.date(),
  level: z.enum(LOG_LEVELS),
  source: z.string(),
  message: z.string(),
  context: z.record(z.string(), z.unknown()).nullable(),
  rawPayload: z.string().nullable(),
});
export const SystemLogOutput = cursorPage(SystemLogItem);
export type SystemLogOutput = z.infer<typeof SystemLogOutput>;

export const MessageLogInput = CursorInput.extend({
  ...Range,
  channel: z.enum(['sms', 'push']).optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  userId: z.uuid().optional(),
  recipient: z.string().trim().min(1).max(512).optional(),
});
export type MessageLogInput = z.infer<typeof MessageLogInput>;

export const MessageLogItem = z.object({
  id: z.string(),
  channel: z.enum(['sms', 'push']),
  userId: z.string().nullable(),
  recipient: z.string(),
  templateCode: z.string().nullable(),
  /** As stored: secrets (OTP codes) are masked before they are written. */
  content: z.string(),
  provider: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  error: z.string().nullable(),
  sentAt: z.date().nullable(),
  createdAt: z.date(),
});
export const MessageLogOutput = cursorPage(MessageLogItem);
export type MessageLogOutput = z.infer<typeof MessageLogOutput>;

export const AdminActionsInput = CursorInput.extend({
  ...Range,
  /** The acting admin's user id. */
  adminUserId: z.uuid().optional(),
  /** e.g. user.suspend, or a prefix ending in `.` (user.) */
  action: z.string().trim().min(1).max(80).optional(),
  targetType: z.string().trim().min(1).max(40).optional(),
  targetId: z.string().trim().min(1).max(64).optional(),
});
export type AdminActionsInput = z.infer<typeof AdminActionsInput>;

export const AdminActionItem = z.object({
  id: z.string(),
  adminUserId: z.string(),
  adminRole: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: z.date(),
});
export const AdminActionsOutput = cursorPage(AdminActionItem);
export type AdminActionsOutput = z.infer<typeof AdminActionsOutput>;
