import { raw } from '@mikro-orm/core';
import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import { DomainError } from '@powerbank/domain';
import { z } from 'zod';

/** A page of a log or queue, newest first: `cursor` from the previous page's `nextCursor`. */
export const CursorInput = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(50),
});
export type CursorInput = z.infer<typeof CursorInput>;

/** `{ results, nextCursor }`: `nextCursor` is null on the last page. */
export function cursorPage<T extends z.ZodType>(item: T) {
  return z.object({ results: z.array(item), nextCursor: z.string().nullable() });
}

interface Position {
  at: Date;
  id: string;
}

const encode = (position: Position) =>
  Buffer.from(JSON.stringify([position.at.toISOString(), position.id])).toString('base64url');

function decode(cursor: string): Position {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const date = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'cursor is not one this api gave');
  }
}

interface Keyed {
  id: string;
}

/**
 * One page by keyset on (time, id), newest first: the position after the last row
 * read, never an offset (a log grows while it is read, and an offset over a large
 * partitioned table scans what it skips). The time is compared at millisecond
 * precision, as a JS Date carries it: rows written with `now()` have microseconds,
 * and comparing those with the cursor's milliseconds would skip or repeat rows in
 * the same millisecond. The plain bound `time < cursor + 1 ms` stays beside it so
 * Postgres still prunes partitions and uses the time index.
 */
export async function keysetPage<E extends Keyed>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  page: CursorInput,
  time: { property: keyof E & string; column: string },
  populate?: readonly string[],
): Promise<{ rows: E[]; nextCursor: string | null }> {
  const truncated = raw(`date_trunc('milliseconds', ${time.column})`);
  const after = page.cursor ? decode(page.cursor) : undefined;
  const filter = after
    ? {
        $and: [
          where,
          { [time.property]: { $lt: new Date(after.at.getTime() + 1) } },
          { $or: [{ [truncated]: { $lt: after.at } }, { [truncated]: after.at, id: { $lt: after.id } }] },
        ],
      }
    : where;
  const rows = await em.find(entity, filter as FilterQuery<E>, {
    orderBy: [{ [truncated]: 'desc' }, { id: 'desc' }] as never,
    limit: page.limit + 1,
    populate: populate as never,
  });
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return {
    rows: rows.slice(0, page.limit),
    nextCursor: last ? encode({ at: last[time.property] as Date, id: last.id }) : null,
  };
}
