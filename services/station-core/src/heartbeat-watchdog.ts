import type { Logger } from 'pino';
import type { StationHost } from './station-host.ts';
import type { StationStore } from './station-store.ts';

/**
 * Marks stations offline that missed `missedLimit` heartbeats. It reads the
 * silent stations from the database, not memory, so it also covers stations
 * whose actors are not loaded (e.g. right after a restart).
 */
export function startHeartbeatWatchdog(options: {
  store: StationStore;
  host: StationHost;
  logger: Logger;
  intervalMs: number;
  missedLimit: number;
  /** The stations this instance serves (its partitions'); the others are their owners' to time out. */
  serves?: (sn: string) => boolean;
}): { stop(): void; tick(): Promise<void> } {
  const silentAfterMs = options.intervalMs * options.missedLimit;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const serves = options.serves ?? (() => true);
      const silent = (await options.store.silentStations(silentAfterMs)).filter(({ sn }) => serves(sn));
      await Promise.all(
        silent.map(({ sn, lastHeartbeatAt }) =>
          options.host
            .send(sn, {
              type: 'HEARTBEAT_TIMEOUT',
              // Never heard of (0), not "no condition": a hello that lands between this read and
              // the timeout must win, or a station that just came online flips straight offline.
              silentSince: lastHeartbeatAt ? new Date(lastHeartbeatAt).getTime() : 0,
            })
            .catch((error: unknown) =>
              options.logger.error({ err: error, sn }, 'heartbeat timeout not applied'),
            ),
        ),
      );
    } catch (error) {
      options.logger.error({ err: error }, 'heartbeat watchdog failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.max(250, Math.min(options.intervalMs, 5000)));
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
