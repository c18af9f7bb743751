import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { api, errorText } from '../api.ts';

const DAY_MS = 86_400_000;
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/** The last 30 days (UTC) of `admin.analytics.revenueByDay`, one bar stack per day and currency. */
export function RevenueChart() {
  const to = isoDay(Date.now());
  const from = isoDay(Date.now() - 29 * DAY_MS);
  const report = useQuery({
    queryKey: ['analytics', 'revenueByDay', from, to],
    queryFn: () => api.admin.analytics.revenueByDay.query({ from, to }),
  });
  if (report.error) return <p className="error">{errorText(report.error)}</p>;
  if (!report.data) return <p className="muted">Loading revenue…</p>;
  const currencies = [...new Set(report.data.rows.map((row) => row.currency))].sort();
  // One row per day, a column per currency: amounts stay in minor units, as the api sends them.
  const days = new Map<string, Record<string, number | string>>();
  for (const row of report.data.rows) {
    const day = days.get(row.day) ?? { day: row.day };
    day[row.currency] = row.amount;
    days.set(row.day, day);
  }
  return (
    <section data-testid="revenue-chart">
      <h2>Revenue per day (minor units)</h2>
      <p className="muted">
        {from} to {to}, as of {report.data.refreshed_at} · {report.data.rows.length} rows
      </p>
      <BarChart
        width={900}
        height={260}
        data={[...days.values()].sort((a, b) => String(a.day).localeCompare(String(b.day)))}
      >
        <XAxis dataKey="day" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Legend />
        {currencies.map((currency) => (
          <Bar key={currency} dataKey={currency} fill="#2e6f9e" isAnimationActive={false} />
        ))}
      </BarChart>
    </section>
  );
}
