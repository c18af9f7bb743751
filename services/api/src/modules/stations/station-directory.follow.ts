import type { NatsConnection } from '@powerbank/messaging';
import type { Logger } from 'pino';
import { cacheSubjects, publishInvalidation } from '../../platform/static-cache.ts';
import type { StationDirectorySource } from './station-directory.source.ts';

/** The invalidation name of the station tables (station, its slots, media, amenities). */
const STATIONS = 'station';

/**
 * Tells every api instance that stations were created, edited or retired. An admin's change must
 * show at once, not after the directory's bounded staleness (station-core's frequent slot writes are
 * left to that): the caller publishes after its commit.
 */
export function publishStationsChanged(nats: NatsConnection, prefix: string): Promise<void> {
  return publishInvalidation(nats, prefix, STATIONS);
}

/** Makes this instance's directory re-read changed stations before its next answer when told so. */
export function followStationChanges(options: {
  nats: NatsConnection;
  prefix: string;
  stations: StationDirectorySource;
  logger: Logger;
}): void {
  options.nats.subscribe(cacheSubjects(options.prefix).invalidate(STATIONS), {
    callback: (error) => {
      if (error) return options.logger.warn({ err: error }, 'station change subscription failed');
      options.stations.markStale();
    },
  });
}
