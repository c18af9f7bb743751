import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Report } from './analytics-reports.ts';

/** Reports read through the ORM's read connection: the replica at DATABASE_READ_URL when set, else the primary. */
const READ = { connectionType: 'read' } as const;

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
  const rows = await em.execute<Record<string, unknown>[]>(text, values, READ);
  const [fresh] = await em.execute<{ refreshed_at: Date }[]>(
    'select refreshed_at from analytics_refreshed',
    [],
    READ,
  );
  const numeric = numericColumns(report.row);
  return {
    from: input.from,
    to: input.to,
    refreshed_at: (fresh?.refreshed_at ?? new Date(0)).toISOString(),
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
