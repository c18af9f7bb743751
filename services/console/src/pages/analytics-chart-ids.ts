/**
 * The dashboard's analytics charts, one per report (analytics-charts.tsx charts each id; the
 * browser test waits for each `{id}-chart`). Without the api client, so a Node test can read it.
 */
export const ANALYTICS_CHART_IDS = [
  'revenue',
  'revenue-by-package',
  'revenue-by-payment-mode',
  'stations',
  'rentals',
  'active-users',
  'top-ups-and-refunds',
  'dues',
] as const;
export type AnalyticsChartId = (typeof ANALYTICS_CHART_IDS)[number];
