import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { api, errorText } from '../api.ts';
import { ANALYTICS_CHART_IDS, type AnalyticsChartId } from './analytics-chart-ids.ts';

const DAY_MS = 86_400_000;
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
type Range = { from: string; to: string };
type Point = Record<string, number | string | null>;

/** One analytics report as a bar chart: how to load it over a range and turn its rows into bars. */
interface ReportChart {
  title: string;
  load: (range: Range) => Promise<{ refreshed_at: string; rows: Point[] }>;
  /** The chart's points: one per bar (group) along the x axis, named by `x`. */
  points: (rows: Point[]) => Point[];
  x: string;
  /** The bars of each point: a field of the points, stacked when they share `stack`. */
  bars: (points: Point[]) => { key: string; color: string; stack?: string }[];
}

/**
 * Rows with a `currency` column, as one point per `x` value and a bar per currency: amounts in
 * the minor units the api sends, never added across currencies.
 */
const perCurrency = (x: string, value: string) => ({
  x,
  points: (rows: Point[]) => {
    const byX = new Map<string, Point>();
    for (const row of rows) {
      const key = String(row[x]);
      const point = byX.get(key) ?? { [x]: key };
      point[String(row.currency)] = Number(row[value]);
      byX.set(key, point);
    }
    return [...byX.values()];
  },
  bars: (points: Point[]) =>
    [...new Set(points.flatMap((p) => Object.keys(p).filter((k) => k !== x)))]
      .sort()
      .map((key) => ({ key, color: '#2e6f9e' })),
});
/** Rows that are already points (one per day), with fixed bars. */
const asIs = (x: string, bars: { key: string; color: string; stack?: string }[]) => ({
  x,
  points: (rows: Point[]) => rows,
  bars: () => bars,
});

/** Every chart by its id (`data-testid` `{id}-chart`, and its query's key): one per report. */
const CHARTS: Record<AnalyticsChartId, ReportChart> = {
  revenue: {
    title: 'Revenue per day (minor units)',
    load: (r) => api.admin.analytics.revenueByDay.query(r),
    ...perCurrency('day', 'amount'),
  },
  'revenue-by-package': {
    title: 'Revenue per package',
    load: (r) => api.admin.analytics.revenueByPackage.query(r),
    ...perCurrency('package_code', 'amount'),
  },
  'revenue-by-payment-mode': {
    title: 'Revenue per payment mode',
    load: (r) => api.admin.analytics.revenueByPaymentMode.query(r),
    ...perCurrency('payment_mode', 'amount'),
  },
  stations: {
    title: 'Top 10 stations by revenue',
    load: (r) => api.admin.analytics.stations.query({ ...r, limit: 10 }),
    ...perCurrency('serial_number', 'amount'),
  },
  rentals: {
    title: 'Rentals per day',
    load: (r) => api.admin.analytics.rentals.query(r),
    ...asIs('day', [
      { key: 'completed', color: '#2e9e4f', stack: 'r' },
      { key: 'late', color: '#e0a100', stack: 'r' },
      { key: 'lost', color: '#8a8f98', stack: 'r' },
      { key: 'failed', color: '#d32f2f', stack: 'r' },
      { key: 'started', color: '#2e6f9e' },
    ]),
  },
  'active-users': {
    title: 'Active and new users per day',
    load: (r) => api.admin.analytics.activeUsers.query(r),
    ...asIs('day', [
      { key: 'active_users', color: '#2e6f9e' },
      { key: 'new_users', color: '#2e9e4f' },
    ]),
  },
  'top-ups-and-refunds': {
    title: 'Top-ups and refunds per day (minor units)',
    load: (r) => api.admin.analytics.topUpsAndRefunds.query(r),
    ...asIs('day', [
      { key: 'topup_amount', color: '#2e9e4f' },
      { key: 'refund_amount', color: '#d32f2f' },
    ]),
  },
  dues: {
    title: 'Dues outstanding, by the day the rental started (minor units)',
    load: (r) => api.admin.analytics.dues.query(r),
    ...perCurrency('day', 'due_amount'),
  },
};

function ReportChartView({ id, range }: { id: AnalyticsChartId; range: Range }) {
  const chart = CHARTS[id];
  const report = useQuery({
    queryKey: ['analytics', id, range.from, range.to],
    queryFn: () => chart.load(range),
  });
  if (report.error) return <p className="error">{errorText(report.error)}</p>;
  if (!report.data) return <p className="muted">Loading {chart.title.toLowerCase()}…</p>;
  const points = chart.points(report.data.rows);
  return (
    <section data-testid={`${id}-chart`}>
      <h2>{chart.title}</h2>
      <p className="muted">
        {range.from} to {range.to}, as of {report.data.refreshed_at} · {report.data.rows.length} rows
      </p>
      <BarChart width={900} height={260} data={points}>
        <XAxis dataKey={chart.x} />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Legend />
        {chart.bars(points).map((bar) => (
          <Bar
            key={bar.key}
            dataKey={bar.key}
            stackId={bar.stack}
            fill={bar.color}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </section>
  );
}

/** Every analytics report over the last 30 days (UTC), one chart each. */
export function AnalyticsCharts() {
  const range = { from: isoDay(Date.now() - 29 * DAY_MS), to: isoDay(Date.now()) };
  return (
    <>
      {ANALYTICS_CHART_IDS.map((id) => (
        <ReportChartView key={id} id={id} range={range} />
      ))}
    </>
  );
}
