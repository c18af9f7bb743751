import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import { DomainError } from '@powerbank/domain';
import { z } from 'zod';
import { queryInt } from '../../platform/query-input.ts';

/** A page of a log or queue, newest first: `cursor` from the previous page's `nextCursor`. */
export const CursorInput = z.object({
  cursor: z.string().max(200).optional(),
  limit: queryInt(1, 100).default(50),
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
 * One page by keyset on (time, id), newest first: the rows after the last one read,
 * never an offset (a log grows while it is read, and an offset over a large
 * partitioned table reads everything it skips). The cursor carries the last row's
 * id and its time to the millisecond, as a JS Date holds it; rows written with
 * `now()` have microseconds, so the comparison is made with that row's exact time,
 * looked up by its id within that millisecond. Ordered by the plain columns, the
 * time indexes serve it, and the bounds on the time column let Postgres prune
 * partitions.
 */
export async function keysetPage<E extends Keyed>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  page: CursorInput,
  timeProperty: keyof E & string,
  populate: readonly string[] = [],
): Promise<{ rows: E[]; nextCursor: string | null }> {
  const meta = em.getMetadata().get(entity);
  const column = (meta.properties as Record<string, { fieldNames: string[] } | undefined>)[timeProperty]
    ?.fieldNames[0];
  if (!column) throw new Error(`${meta.className} has no property ${timeProperty}`);
  const qb = em
    .createQueryBuilder(entity, 'r')
    .where(where as never)
    .orderBy([{ [timeProperty]: 'desc' }, { id: 'desc' }] as never)
    .limit(page.limit + 1);
  const after = page.cursor ? decode(page.cursor) : undefined;
  if (after) {
    const next = new Date(after.at.getTime() + 1);
    qb.andWhere({ [timeProperty]: { $lt: next } } as never).andWhere(
      `(r.${column}, r.id) < (select c.${column}, c.id from ${meta.tableName} c where c.id = ? and c.${column} >= ? and c.${column} < ?)`,
      [after.id, after.at, next],
    );
  }
  const rows = (await qb.getResult()) as E[];
  if (populate.length) await em.populate(rows, populate as never);
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return {
    rows: rows.slice(0, page.limit),
    nextCursor: last ? encode({ at: last[timeProperty] as Date, id: last.id }) : null,
  };
}
