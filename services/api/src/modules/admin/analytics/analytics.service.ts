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
  // The procedure parsed `input` with `report.input`.
  const { text, values } = report.sql(input as z.output<I>);
  const rows = await sqlRows<Record<string, unknown>>(em, text, values, READ);
  const [fresh] = await sqlRows<{ refreshed_at: Date | string }>(
    em,
    'select refreshed_at from analytics_refreshed',
    [],
    READ,
  );
  const numeric = numericColumns(report.row);
  return {
    from: input.from,
    to: input.to,
    // Before the first refresh there is no row; the epoch says "never".
    refreshed_at: new Date(fresh?.refreshed_at ?? 0).toISOString(),
    rows: rows.map((row) => {
      for (const column of numeric) if (typeof row[column] === 'string') row[column] = Number(row[column]);
      return row as z.input<R>;
    }),
  };
}

function numericColumns(row: z.ZodObject): string[] {
  return Object.entries(row.shape)
    .filter(([, schema]) => {
      const inner = schema instanceof z.ZodNullable ? schema.unwrap() : schema;
      return inner instanceof z.ZodNumber;
    })
    .map(([column]) => column);
}
