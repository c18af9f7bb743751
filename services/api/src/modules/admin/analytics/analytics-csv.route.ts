import { stringify } from 'csv-stringify/sync';
import type { Hono } from 'hono';
import type { AppEnv } from '../../../hono-env.ts';
import { errorResponse } from '../../../platform/error-response.ts';
import type { ContextSource } from '../../../trpc/context.ts';
import { describeError, describeHttpStatus } from '../../../trpc/error-body.ts';
import { requestContext } from '../../../trpc/request-context.ts';
import { createCallerFactory } from '../../../trpc/trpc.ts';
import { ANALYTICS_REST_PATH, analyticsRouter } from './analytics.router.ts';
import { REPORTS, type ReportName } from './analytics-reports.ts';

const REPORT_BY_PATH = new Map(
  (Object.keys(REPORTS) as ReportName[]).map((name) => [REPORTS[name].path, name] as const),
);

/** A report's rows as CSV, one column per field of its row schema, in that order, with a header line. */
export function reportCsv(name: ReportName, rows: readonly Record<string, unknown>[]): string {
  return stringify(rows as Record<string, unknown>[], {
    header: true,
    columns: Object.keys(REPORTS[name].row.shape),
  });
}

/**
 * `GET /api/admin/analytics/{report}.csv`: the same report as its procedure (same roles, same
 * input from the query string, same errors in the REST envelope), as a `text/csv` download.
 * A plain route, mounted before the REST adapter: the adapter answers JSON only.
 */
export function mountAnalyticsCsv(app: Hono<AppEnv>, source: ContextSource): void {
  const callerOf = createCallerFactory(analyticsRouter);
  app.get(`/api${ANALYTICS_REST_PATH}/:file{[a-z-]+\\.csv}`, async (c) => {
    const path = c.req.param('file').slice(0, -'.csv'.length);
    const name = REPORT_BY_PATH.get(path);
    if (!name) return errorResponse(c, describeHttpStatus(404, `no analytics report named ${path}`));
    const ctx = requestContext(source, c);
    try {
      // The query string as the REST adapter would pass it: the procedure's schema reads its text.
      const answer = await callerOf(ctx)[name](c.req.query() as never);
      return c.body(reportCsv(name, answer.rows), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${path}_${answer.from}_${answer.to}.csv"`,
      });
    } catch (error) {
      return errorResponse(c, describeError(error));
    }
  });
}

const dateParameter = (name: string, description: string) => ({
  name,
  in: 'query',
  required: true,
  description,
  schema: { type: 'string', format: 'date' },
});

/** The CSV downloads in the OpenAPI document (plain routes: the generator cannot see them). */
export const ANALYTICS_CSV_OPENAPI = Object.fromEntries(
  (Object.keys(REPORTS) as ReportName[]).map((name) => {
    const report = REPORTS[name];
    const parameters = [
      dateParameter('from', 'First UTC day, YYYY-MM-DD'),
      dateParameter('to', 'Last UTC day, included'),
      ...('limit' in report.input.shape
        ? [
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 1000 },
            },
          ]
        : []),
    ];
    return [
      `${ANALYTICS_REST_PATH}/${report.path}.csv`,
      {
        get: {
          operationId: `admin-analytics-${report.path}-csv`,
          summary: `${report.summary}, as CSV (finance, operations)`,
          tags: ['admin'],
          security: [{ bearerAuth: [] }],
          parameters,
          responses: {
            '200': {
              description: `A header line (${Object.keys(report.row.shape).join(', ')}), then one line per row`,
              content: { 'text/csv': { schema: { type: 'string' } } },
            },
            '400': { description: 'Invalid range (VALIDATION_FAILED, the field named)' },
            '401': { description: 'Not signed in' },
            '403': { description: 'Not an admin of an allowed role' },
          },
        },
      },
    ];
  }),
);
