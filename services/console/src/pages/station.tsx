import { useQuery } from '@tanstack/react-query';
import { api, errorText } from '../api.ts';
import { useLiveStation } from '../live.ts';
import { stationQuery } from '../queries.ts';
import { type AdminRole, may } from '../roles.ts';
import { ListSection } from './list-section.tsx';
import { SlotCommands, StationCommands } from './station-commands.tsx';

export function StationPage({ sn, role }: { sn: string; role: AdminRole }) {
  useLiveStation(sn);
  const station = useQuery(stationQuery(sn));
  if (station.error) return <p className="error">{errorText(station.error)}</p>;
  if (!station.data) return <p className="muted">Loading {sn}…</p>;
  const s = station.data;
  const commands = may(role, 'stations.command');
  return (
    <>
      <section>
        <h2>
          {s.name} <span className="muted">{s.sn}</span>
        </h2>
        <p>
          <span data-testid="station-status">{s.status}</span> · {s.address}
          {s.city ? `, ${s.city}` : ''} · {s.availablePowerBanks} to rent · {s.freeSlots} free slots · last
          heartbeat {s.lastHeartbeatAt ? s.lastHeartbeatAt.toLocaleString() : 'never'}
        </p>
        {commands && <StationCommands sn={sn} />}
      </section>
      <section>
        <h2>Slots</h2>
        <table>
          <thead>
            <tr>
              <th>slot</th>
              <th>state</th>
              <th>power bank</th>
              <th>charge</th>
              {commands && <th />}
            </tr>
          </thead>
          <tbody>
            {s.slots.map((slot) => (
              <tr key={slot.slotIndex} data-testid="slot-row">
                <td>{slot.slotIndex}</td>
                <td>{slot.status}</td>
                <td>
                  {slot.powerBank ? `${slot.powerBank.model} (${slot.powerBank.capacityMah} mAh)` : '—'}
                </td>
                <td>{slot.batteryLevel === null ? '—' : `${slot.batteryLevel}%`}</td>
                {commands && (
                  <td>
                    <SlotCommands sn={sn} slot={slot.slotIndex} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {may(role, 'system.log') && <StationLog sn={sn} />}
    </>
  );
}

/** The station's last lines in the system log: what it said, what was refused. */
function StationLog({ sn }: { sn: string }) {
  const list = useQuery({
    queryKey: ['systemLog', sn],
    queryFn: () => api.admin.system.systemLog.query({ stationSn: sn, limit: 20 }),
  });
  return (
    <ListSection
      title="Last messages"
      list={list}
      empty="Nothing logged today."
      row={(line) => (
        <tr key={line.id}>
          <td>{line.occurredAt.toLocaleString()}</td>
          <td>{line.level}</td>
          <td>{line.source}</td>
          <td>{line.message}</td>
        </tr>
      )}
    />
  );
}
