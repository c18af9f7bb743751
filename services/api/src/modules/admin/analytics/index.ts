// Mounted by the admin module: `analytics: analyticsRouter` in the admin router, the CSV route
// and its OpenAPI paths in app.ts (next to the payment routes, before the REST adapter).

export { ANALYTICS_ROLES, analyticsRouter } from './analytics.router.ts';
export { ANALYTICS_CSV_OPENAPI, mountAnalyticsCsv } from './analytics-csv.route.ts';
