import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText } from '../api.ts';
import { useLiveStations } from '../live.ts';
import { type StationRow, stationsQuery } from '../queries.ts';
import { hrefOf } from '../route.ts';

const WIDTH = 900;
const HEIGHT = 560;
const MARGIN = 30;

/** Red offline, grey in maintenance, amber online with nothing to rent, green ready to rent. */
export function stationColour(station: StationRow): string {
  if (station.status === 'offline') return '#d32f2f';
  if (station.status !== 'online') return '#8a8f98';
  return station.availablePowerBanks > 0 ? '#2e9e4f' : '#f0a020';
}

/**
 * An equirectangular projection scaled by cos(mid-latitude): distances look right at
 * city scale, and no tile server is needed.
 */
function projection(stations: StationRow[]) {
  const lats = stations.map((s) => s.latitude);
  const lngs = stations.map((s) => s.longitude);
  const [minLat, maxLat, minLng, maxLng] = [
    Math.min(...lats),
    Math.max(...lats),
    Math.min(...lngs),
    Math.max(...lngs),
  ];
  const xScale = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLng - minLng) * xScale, 1e-6);
  const spanY = Math.max(maxLat - minLat, 1e-6);
  const scale = Math.min((WIDTH - 2 * MARGIN) / spanX, (HEIGHT - 2 * MARGIN) / spanY);
  // Centred: the network's shape rarely has the map's proportions.
  const left = (WIDTH - spanX * scale) / 2;
  const top = (HEIGHT - spanY * scale) / 2;
  return (s: StationRow) => ({
    x: left + (s.longitude - minLng) * xScale * scale,
    y: HEIGHT - top - (s.latitude - minLat) * scale,
  });
}

export function MapPage() {
  useLiveStations();
  const stations = useQuery(stationsQuery());
  const [city, setCity] = useState('');
  const [status, setStatus] = useState('');
  if (stations.error) return <p className="error">{errorText(stations.error)}</p>;
  if (!stations.data) return <p className="muted">Loading stations…</p>;
  const cities = [...new Set(stations.data.map((s) => s.city ?? ''))].filter(Boolean).sort();
  const shown = stations.data.filter((s) => (!city || s.city === city) && (!status || s.status === status));
  const project = projection(shown.length ? shown : stations.data);
  return (
    <section className="map">
      <h2>Stations ({shown.length})</h2>
      <div className="filters">
        <select aria-label="city" value={city} onChange={(e) => setCity(e.target.value)}>
          <option value="">All cities</option>
          {cities.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <select aria-label="status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Any status</option>
          <option value="online">online</option>
          <option value="offline">offline</option>
          <option value="maintenance">maintenance</option>
        </select>
        <span className="legend">
          <span>
            <i className="dot" style={{ background: '#2e9e4f' }} />
            ready
          </span>
          <span>
            <i className="dot" style={{ background: '#f0a020' }} />
            none to rent
          </span>
          <span>
            <i className="dot" style={{ background: '#d32f2f' }} />
            offline
          </span>
          <span>
            <i className="dot" style={{ background: '#8a8f98' }} />
            maintenance
          </span>
        </span>
      </div>
      <svg width={WIDTH} height={HEIGHT} role="img" aria-label="station map">
        {shown.map((station) => {
          const { x, y } = project(station);
          return (
            <a key={station.sn} href={hrefOf('stations', station.sn)}>
              <circle
                data-testid="station-dot"
                data-sn={station.sn}
                data-status={station.status}
                cx={x}
                cy={y}
                r={7}
                fill={stationColour(station)}
                stroke="#fff"
              >
                <title>
                  {station.name} · {station.status} · {station.availablePowerBanks} to rent ·{' '}
                  {station.freeSlots} free
                </title>
              </circle>
            </a>
          );
        })}
      </svg>
    </section>
  );
}
