import type { z } from 'zod';
import { adminProcedure, router } from '../../../trpc/trpc.ts';
import { reportOutput } from './analytics.schemas.ts';
import { runReport } from './analytics.service.ts';
import { REPORTS, type Report } from './analytics-reports.ts';

/** Who may read analytics besides super_admin (docs/admin.md). */
export const ANALYTICS_ROLES = ['finance', 'operations'] as const;

/** The REST prefix of every report. */
export const ANALYTICS_REST_PATH = '/admin/analytics';

/** A report as a query: `GET /api/admin/analytics/{path}` and `admin.analytics.<name>`, rows as JSON. */
function reportProcedure<I extends z.ZodType<{ from: string; to: string }>, R extends z.ZodObject>(
  report: Report<I, R>,
) {
  return adminProcedure(ANALYTICS_ROLES)
    .meta({
      openapi: {
        method: 'GET',
        path: `${ANALYTICS_REST_PATH}/${report.path}`,
        tags: ['admin'],
        protect: true,
        summary: `${report.summary} (finance, operations; CSV: ${report.path}.csv)`,
      },
    })
    .input(report.input)
    .output(reportOutput(report.row))
    .query(({ ctx, input }) => runReport(ctx.em, report, input));
}

/** The analytics reports; mounted as `admin.analytics`. */
export const analyticsRouter = router({
  revenueByDay: reportProcedure(REPORTS.revenueByDay),
  revenueByPackage: reportProcedure(REPORTS.revenueByPackage),
  revenueByPaymentMode: reportProcedure(REPORTS.revenueByPaymentMode),
  stations: reportProcedure(REPORTS.stations),
  rentals: reportProcedure(REPORTS.rentals),
  activeUsers: reportProcedure(REPORTS.activeUsers),
  topUpsAndRefunds: reportProcedure(REPORTS.topUpsAndRefunds),
  dues: reportProcedure(REPORTS.dues),
});
