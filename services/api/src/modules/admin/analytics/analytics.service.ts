import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '@powerbank/db';
import { z } from 'zod';
import type { Report } from './analytics-reports.ts';

/** Reports read through the ORM's read connection: the replica at DATABASE_READ_URL when set, else the primary. */
const READ = 'read';

export interface ReportAnswer<R> {
  from: string;
  to: string;
  refreshed_at: string;
  rows: R[];
}

/**
 * A report over its range, from the analytics views. Postgres sends `int8` sums as text:
 * each column the row schema calls a number is read back as one.
 */
export async function runReport<I extends z.ZodType, R extends z.ZodObject>(
  em: EntityManager,
  report: Report<I, R>,
  input: { from: string; to: string },
): Promise<ReportAnswer<z.input<R>>> {
  // The two reads are independent: sent at once, the answer waits for one round trip, not two.
  const [rows, [fresh]] = await Promise.all([
    // The procedure parsed `input` with `report.input`.
    report.read(em, input as z.output<I>),
    sqlRows<{ refreshed_at: Date | string }>(em, 'select refreshed_at from analytics_refreshed', [], READ),
  ]);
  return {
    from: input.from,
    to: input.to,
    // Before the first refresh there is no row; the epoch says "never".
    refreshed_at: new Date(fresh?.refreshed_at ?? 0).toISOString(),
    rows: numbersIn(report.row, rows) as z.input<R>[],
  };
}

/** `rows` with each column `row` calls a number read as one (Postgres sends `int8` as text). */
export function numbersIn(row: z.ZodObject, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const numeric = numericColumns(row);
  return rows.map((r) => {
    for (const column of numeric) if (typeof r[column] === 'string') r[column] = Number(r[column]);
    return r;
  });
}

function numericColumns(row: z.ZodObject): string[] {
  return Object.entries(row.shape)
    .filter(([, schema]) => {
      const inner = schema instanceof z.ZodNullable ? schema.unwrap() : schema;
      return inner instanceof z.ZodNumber;
    })
    .map(([column]) => column);
}
