import type { Logger } from 'pino';
import type { StationHost } from './station-host.ts';
import type { StationStore } from './station-store.ts';

/**
 * Marks stations offline that missed `missedLimit` heartbeats. It reads the
 * candidates from the database, not memory, so it also covers stations whose
 * actors are not loaded (e.g. right after a restart); the actor then decides
 * with its own newest heartbeat, which the database may not have yet (a
 * heartbeat that moves only last-seen fields is written up to
 * `lastSeenPersistMs` later, see StationActor), so that lag never takes a
 * living station offline, nor keeps a silent one online.
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
      // Silent since the limit, not since the stored heartbeat: any message the actor took after
      // the limit wins (one held in memory only, or a hello landing between this read and the
      // timeout), and a station never heard of or whose stored time lags times out all the same.
      // The limit is this process's clock against the message times (the broker's): skew between
      // them shifts it by that much, which is small beside a silence of missed heartbeats.
      const silentSince = Date.now() - silentAfterMs;
      await Promise.all(
        silent.map(({ sn }) =>
          options.host
            .send(sn, { type: 'HEARTBEAT_TIMEOUT', silentSince })
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
