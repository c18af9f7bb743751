import type { StationEvent } from '@powerbank/machines';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startHeartbeatWatchdog } from './heartbeat-watchdog.ts';
import type { StationHost } from './station-host.ts';
import type { StationStore } from './station-store.ts';

describe('heartbeat watchdog', () => {
  it('says since when each station was silent — 0 for one never heard from, so a hello that crosses it wins', async () => {
    const sent: [string, StationEvent][] = [];
    const heardAt = new Date('2026-11-30T10:00:00Z');
    const watchdog = startHeartbeatWatchdog({
      store: {
        silentStations: async () => [
          { sn: 'HEARD', lastHeartbeatAt: heardAt },
          { sn: 'NEVER', lastHeartbeatAt: null },
        ],
      } as unknown as StationStore,
      host: {
        send: async (sn: string, event: StationEvent) => void sent.push([sn, event]),
      } as unknown as StationHost,
      logger: pino({ level: 'silent' }),
      intervalMs: 60_000,
      missedLimit: 3,
    });
    await watchdog.tick();
    watchdog.stop();
    expect(sent).toEqual([
      ['HEARD', { type: 'HEARTBEAT_TIMEOUT', silentSince: heardAt.getTime() }],
      ['NEVER', { type: 'HEARTBEAT_TIMEOUT', silentSince: 0 }],
    ]);
  });
});
