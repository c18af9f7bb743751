import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AdminActionLog, SmsFcmLog, SystemLog } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { keysetPage } from './admin-cursor.ts';
import { escapeLike } from './like-pattern.ts';
import type {
  AdminActionsInput,
  AdminActionsOutput,
  MessageLogInput,
  MessageLogOutput,
  SystemLogInput,
  SystemLogOutput,
} from './system.schemas.ts';

const DAY = 24 * 60 * 60_000;

/** The bounded range a log is read over: `to` (now) and `from` (a day before it) by default. */
function rangeOf(input: { from?: Date; to?: Date }): { $gte: Date; $lte: Date } {
  const to = input.to ?? new Date();
  const from = input.from ?? new Date(to.getTime() - DAY);
  if (from > to) throw new DomainError('VALIDATION_FAILED', '`from` is after `to`');
  return { $gte: from, $lte: to };
}

/** SystemLog lines by level, source, station and time range, newest first (the range prunes the monthly partitions). */
export async function systemLog(em: EntityManager, input: SystemLogInput): Promise<SystemLogOutput> {
  const where: FilterQuery<SystemLog>[] = [{ occurredAt: rangeOf(input) }];
  if (input.level) where.push({ level: input.level });
  if (input.source) where.push({ source: input.source });
  if (input.stationSn) {
    // station-core names the station in context.sn; the bridge's rejections carry the MQTT topic.
    where.push({
      $or: [
        { context: { sn: input.stationSn } },
        { context: { topic: { $like: `stations/${escapeLike(input.stationSn)}/%` } } },
      ],
    } as FilterQuery<SystemLog>);
  }
  const page = await keysetPage<SystemLog>(em, SystemLog, { $and: where }, input, 'occurredAt');
  return {
    results: page.rows.map((row) => ({
      id: row.id,
      occurredAt: row.occurredAt,
      level: row.level,
      source: row.source,
      message: row.message,
      context: row.context ?? null,
      rawPayload: row.rawPayload ?? null,
    })),
    nextCursor: page.nextCursor,
  };
}

/** SMS and push messages handed to providers, newest first. */
export async function messageLog(em: EntityManager, input: MessageLogInput): Promise<MessageLogOutput> {
  const where: FilterQuery<SmsFcmLog> = {
    createdAt: rangeOf(input),
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(input.userId ? { user: input.userId } : {}),
    ...(input.recipient ? { recipient: input.recipient } : {}),
  };
  const page = await keysetPage(em, SmsFcmLog, where, input, 'createdAt');
  return {
    results: page.rows.map((row) => ({
      id: row.id,
      channel: row.channel,
      userId: row.user?.id ?? null,
      recipient: row.recipient,
      templateCode: row.templateCode ?? null,
      content: row.content,
      provider: row.provider,
      status: row.status,
      error: row.error ?? null,
      sentAt: row.sentAt ?? null,
      createdAt: row.createdAt,
    })),
    nextCursor: page.nextCursor,
  };
}

/** What staff did, newest first: by admin, action (or an action prefix such as `user.`), target and time. */
export async function adminActions(em: EntityManager, input: AdminActionsInput): Promise<AdminActionsOutput> {
  const where: FilterQuery<AdminActionLog> = {
    createdAt: rangeOf(input),
    ...(input.adminUserId ? { admin: { user: input.adminUserId } } : {}),
    ...(input.action
      ? { action: input.action.endsWith('.') ? { $like: `${escapeLike(input.action)}%` } : input.action }
      : {}),
    ...(input.targetType ? { targetType: input.targetType } : {}),
    ...(input.targetId ? { targetId: input.targetId } : {}),
  };
  const page = await keysetPage(em, AdminActionLog, where, input, 'createdAt', ['admin']);
  return {
    results: page.rows.map((row) => ({
      id: row.id,
      adminUserId: row.admin.user.id,
      adminRole: row.admin.role,
      action: row.action,
      targetType: row.targetType,
      targetId: row.targetId ?? null,
      before: row.before ?? null,
      after: row.after ?? null,
      reason: row.reason ?? null,
      ip: row.ip ?? null,
      createdAt: row.createdAt,
    })),
    nextCursor: page.nextCursor,
  };
}
