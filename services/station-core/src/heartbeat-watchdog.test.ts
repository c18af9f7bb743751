import type { StationEvent } from '@powerbank/machines';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startHeartbeatWatchdog } from './heartbeat-watchdog.ts';
import type { StationHost } from './station-host.ts';
import type { StationStore } from './station-store.ts';

describe('heartbeat watchdog', () => {
  it('asks each station silent in the database whether it was silent since the limit — its actor knows newer heartbeats', async () => {
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
    const from = Date.now();
    await watchdog.tick();
    const to = Date.now();
    watchdog.stop();
    expect(sent.map(([sn]) => sn)).toEqual(['HEARD', 'NEVER']);
    for (const [, event] of sent) {
      expect(event.type).toBe('HEARTBEAT_TIMEOUT');
      const silentSince = (event as { silentSince: number }).silentSince;
      // intervalMs × missedLimit before the tick.
      expect(silentSince).toBeGreaterThanOrEqual(from - 180_000);
      expect(silentSince).toBeLessThanOrEqual(to - 180_000);
    }
  });
});
