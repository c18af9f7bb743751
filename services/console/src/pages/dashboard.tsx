import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { errorText } from '../api.ts';
import { useLiveStations } from '../live.ts';
import { type StationRow, stationsQuery } from '../queries.ts';
import { type AdminRole, may } from '../roles.ts';
import { AnalyticsCharts } from './analytics-charts.tsx';

/** Per city: stations online / offline / in maintenance. */
function byCity(stations: StationRow[]) {
  const rows = new Map<string, { city: string; online: number; offline: number; maintenance: number }>();
  for (const s of stations) {
    const city = s.city ?? '—';
    const row = rows.get(city) ?? { city, online: 0, offline: 0, maintenance: 0 };
    if (s.status === 'online' || s.status === 'offline' || s.status === 'maintenance') row[s.status] += 1;
    rows.set(city, row);
  }
  return [...rows.values()].sort((a, b) => a.city.localeCompare(b.city));
}

/** Today's network at a glance, and every analytics report of the last 30 days as a chart. */
export function DashboardPage({ role }: { role: AdminRole }) {
  useLiveStations();
  const stations = useQuery(stationsQuery());
  if (stations.error) return <p className="error">{errorText(stations.error)}</p>;
  if (!stations.data) return <p className="muted">Loading…</p>;
  const all = stations.data;
  const count = (pick: (s: StationRow) => number) => all.reduce((sum, s) => sum + pick(s), 0);
  const figures = [
    ['stations', all.length],
    ['online', all.filter((s) => s.status === 'online').length],
    ['offline', all.filter((s) => s.status === 'offline').length],
    ['power banks to rent', count((s) => s.availablePowerBanks)],
    ['free slots', count((s) => s.freeSlots)],
  ] as const;
  return (
    <>
      <div className="figures" data-testid="figures">
        {figures.map(([label, value]) => (
          <div className="figure" key={label}>
            <b>{value}</b>
            {label}
          </div>
        ))}
      </div>
      <section>
        <h2>Stations by city</h2>
        <p className="muted">Signed in as {role}.</p>
        <BarChart width={900} height={300} data={byCity(all)}>
          <XAxis dataKey="city" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="online" stackId="s" fill="#2e9e4f" isAnimationActive={false} />
          <Bar dataKey="maintenance" stackId="s" fill="#8a8f98" isAnimationActive={false} />
          <Bar dataKey="offline" stackId="s" fill="#d32f2f" isAnimationActive={false} />
        </BarChart>
      </section>
      {may(role, 'analytics.view') && <AnalyticsCharts />}
    </>
  );
}
