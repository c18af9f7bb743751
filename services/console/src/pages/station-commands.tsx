import { useMutation } from '@tanstack/react-query';
import { api, errorText, queryClient } from '../api.ts';
import { stationKeys } from '../live.ts';

type Command = Parameters<typeof api.admin.stations.command.mutate>[0]['command'];

/**
 * Sends a station a remote command and shows what the station answered
 * (acknowledged, the power bank released, or why it refused). One idempotency
 * key per click: a retried request acts once.
 */
export function CommandButton({
  sn,
  command,
  slot,
  label,
}: {
  sn: string;
  command: Command;
  slot?: number;
  label: string;
}) {
  const send = useMutation({
    mutationFn: () =>
      api.admin.stations.command.mutate({
        stationSn: sn,
        command,
        slot,
        idempotencyKey: crypto.randomUUID(),
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: stationKeys.one(sn) }),
  });
  const answer = send.data;
  return (
    <>
      <button type="button" onClick={() => send.mutate()} disabled={send.isPending}>
        {label}
      </button>
      {answer && (
        <span data-testid="command-ack" className={answer.ok ? 'muted' : 'error'}>
          {answer.ok
            ? `acknowledged${answer.powerBankSerial ? `: released ${answer.powerBankSerial}` : ''}`
            : `refused: ${answer.reason ?? ''} ${answer.detail ?? ''}`}
        </span>
      )}
      {send.error && <span className="error">{errorText(send.error)}</span>}
    </>
  );
}

const STATION_COMMANDS: [Command, string][] = [
  ['sync', 'Sync'],
  ['reboot', 'Reboot'],
  ['maintenance-on', 'Maintenance on'],
  ['maintenance-off', 'Maintenance off'],
];

export function StationCommands({ sn }: { sn: string }) {
  return (
    <p>
      {STATION_COMMANDS.map(([command, label]) => (
        <CommandButton key={command} sn={sn} command={command} label={label} />
      ))}
    </p>
  );
}

export function SlotCommands({ sn, slot }: { sn: string; slot: number }) {
  return (
    <>
      <CommandButton sn={sn} command="eject" slot={slot} label="Eject" />
      <CommandButton sn={sn} command="lock" slot={slot} label="Lock" />
      <CommandButton sn={sn} command="unlock" slot={slot} label="Unlock" />
    </>
  );
}
